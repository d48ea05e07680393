/* The decision diagram's passes (myoclass.logic.diagram): one generic kernel over any node table,
   compiled once into the cache by myoclass.logic.native.compile_cached. */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

/* A node table (see myoclass.logic._compile.Table) and what each level means for a packed state. */
typedef struct {
  int nn, nl, nlab, nf;
  const int *level, *lo, *hi, *roots, *cone, *cone_start;
  const int *lstart;            /* nl+1: nodes of level l are lstart[l] .. lstart[l+1]-1 */
  const int *bit_f;             /* per level: the finding (index into the packed state) */
  const int *bit_b;             /* per level: band number, -1 for a boolean finding */
  const unsigned char *mimic;   /* per finding: presumed absent while unknown (when asked) */
  const int *cat_f; int ncat;   /* banded findings */
  const int *cat_l0, *cat_nb;   /* their first level-slot and band count in CATL */
  const int *catl;              /* level of each band, by banded finding */
  const int *ce;                /* cone entries, 4 ints each (see _cone_entries) */
  int skip_lab;                 /* label whose joint is derived from the others (-1: none) */
  int valid_root;               /* root index of the constraints alone, after the labels (-1: none) */
} DTab;

typedef struct {
  int cap_nn, cap_nl, cap_lab;
  unsigned char *sat; uint32_t *down; uint32_t *blk;
  double *up, *dn, *diff; unsigned char *allow; double *p; uint32_t *out;
  int kcap_nn, kcap_nl; double *upk, *dnk, *pk, *diffk, *jk, *jv;
} Scratch;
static __thread Scratch S;

static void scratch(const DTab*t){
  if(S.cap_nn<t->nn){ S.cap_nn=t->nn; S.sat=realloc(S.sat,(size_t)t->nn); S.down=realloc(S.down,4*(size_t)t->nn);
    S.up=realloc(S.up,8*(size_t)t->nn); S.dn=realloc(S.dn,8*(size_t)t->nn); }
  if(S.cap_nl<t->nl+1 || S.cap_lab<t->nlab){ if(S.cap_nl<t->nl+1) S.cap_nl=t->nl+1; if(S.cap_lab<t->nlab) S.cap_lab=t->nlab;
    S.blk=realloc(S.blk,sizeof(uint32_t)*8*(size_t)S.cap_nl);
    S.diff=realloc(S.diff,8*(size_t)S.cap_nl); S.allow=realloc(S.allow,(size_t)S.cap_nl); S.p=realloc(S.p,8*(size_t)S.cap_nl);
    S.out=realloc(S.out,8*(size_t)S.cap_nl); }
}

/* allowed values per level: 1 only 0, 2 only 1, 3 both */
static void allow_of(const DTab*t,const unsigned char*s,int presume,unsigned char*a){
  int l; for(l=0;l<t->nl;l++){ int f=t->bit_f[l],b=t->bit_b[l],x=s[f];
    if(b<0){ if(x==1 && presume && t->mimic[f]) x=0; a[l]=(unsigned char)(x==0?1:(x==2?2:3)); }
    else a[l]=(unsigned char)((x>>b&1)?3:1); }
}

/* bottom-up: can node i reach TRUE along values the state allows? */
static void sat_pass(const DTab*t,const unsigned char*a,unsigned char*sat){
  int i; sat[0]=0; sat[1]=1;
  for(i=t->nn-1;i>=2;i--){ int al=a[t->level[i]];
    sat[i]=(unsigned char)(((al&1)&&sat[t->lo[i]])||((al&2)&&sat[t->hi[i]])); }
}

/* Reachable labels; with out (2*nl masks) also, per level l and value x, the labels reachable
   with that variable fixed to x (meaningful where x is allowed). */
static void out_pass(const DTab*t,uint32_t*out);
uint32_t dd_reach(const DTab*t,const unsigned char*s,int presume,uint32_t*out){
  scratch(t);
  unsigned char*a=S.allow,*sat=S.sat; int L;
  allow_of(t,s,presume,a); sat_pass(t,a,sat);
  uint32_t reach=0;
  for(L=0;L<t->nlab;L++) if(sat[t->roots[L]]) reach|=1u<<L;
  if(out) out_pass(t,out);
  return reach;
}

/* the top-down part of dd_reach, on the allowed values and sat flags it left in the scratch */
static void out_pass(const DTab*t,uint32_t*out){
  const unsigned char*a=S.allow,*sat=S.sat; int L,i,l;
  memset(out,0,sizeof(uint32_t)*2*(size_t)t->nl);
  uint32_t*down=S.down; memset(down,0,4*(size_t)t->nn);
  /* labels whose consistent paths skip a level: OR over spans [a, e), each span written as two
     overlapping power-of-two blocks blk[k][a] and blk[k][e-2^k], pushed down at the end */
  uint32_t*blk=S.blk; int NL1=t->nl+1,k; memset(blk,0,sizeof(uint32_t)*8*(size_t)NL1);
  for(L=0;L<t->nlab;L++){ int r=t->roots[L]; if(!sat[r]) continue; down[r]|=1u<<L;
    int e=t->level[r]; if(e>0){ k=31-__builtin_clz((unsigned)e); blk[k*NL1]|=1u<<L; blk[k*NL1+e-(1<<k)]|=1u<<L; } }
  for(i=2;i<t->nn;i++){ uint32_t d=down[i]; if(!d) continue; int lv=t->level[i],al=a[lv],c0=t->lo[i],c1=t->hi[i];
    uint32_t d0=d&(0u-(uint32_t)(al&1)), d1=d&(0u-(uint32_t)(al>>1&1));
    down[c0]|=d0; down[c1]|=d1;
    d0&=0u-(uint32_t)sat[c0]; d1&=0u-(uint32_t)sat[c1];
    out[2*lv]|=d0; out[2*lv+1]|=d1;
    int n0=t->level[c0]-lv-1,n1=t->level[c1]-lv-1;
    d0&=0u-(uint32_t)(n0>0); d1&=0u-(uint32_t)(n1>0);
    int k0=31-__builtin_clz((unsigned)n0|1u),k1=31-__builtin_clz((unsigned)n1|1u);
    blk[k0*NL1+lv+1]|=d0; blk[k0*NL1+lv+1+n0-(1<<k0)]|=d0;
    blk[k1*NL1+lv+1]|=d1; blk[k1*NL1+lv+1+n1-(1<<k1)]|=d1; }
  for(k=7;k>=1;k--){ int h=1<<(k-1); for(l=0;l+(1<<k)<=t->nl;l++){ uint32_t m=blk[k*NL1+l];
      blk[(k-1)*NL1+l]|=m; blk[(k-1)*NL1+l+h]|=m; } }
  for(l=0;l<t->nl;l++){ uint32_t m=blk[l]; out[2*l]|=m&(0u-(uint32_t)(a[l]&1)); out[2*l+1]|=m&(0u-(uint32_t)(a[l]>>1&1)); }
}

/* per-level probability of the variable being 1, from per-level weights q (a boolean finding's
   P(present), a band's probability) and the state; returns P(valid) of the one-hot bands */
static double probs_of(const DTab*t,const unsigned char*s,int presume,const double*q,double*p){
  int l,k; double valid=1.0;
  for(l=0;l<t->nl;l++){ int f=t->bit_f[l],b=t->bit_b[l],x=s[f];
    if(b<0){ if(x==1 && presume && t->mimic[f]) x=0; p[l]=x==0?0.0:(x==2?1.0:q[l]); }
    else { double w=(x>>b&1)?q[l]:0.0; p[l]=w/(1.0+w); } }
  for(k=0;k<t->ncat;k++){ double sw=0.0,prod=1.0; int j;
    for(j=0;j<t->cat_nb[k];j++){ int l2=t->catl[t->cat_l0[k]+j]; double w=p[l2]/(1.0-p[l2]); sw+=w; prod*=1.0+w; }
    valid*=sw/prod; }
  return valid;
}

/* Reachable labels into *reach and, per unknown finding of the packed state, the labels reachable
   per still-possible value (booleans present then absent; bands in domain order): finding fidx[n],
   nval[n] values, masks[8n..]. With only_deciding, only findings whose masks are not all equal to
   the reachable labels (none when at most one label is reachable). Returns n. */
int dd_outcomes(const DTab*t,const unsigned char*s,int presume,int only_deciding,uint32_t*reach,int*fidx,int*nval,
                uint32_t*masks){
  scratch(t);
  uint32_t*out=S.out; uint32_t r=dd_reach(t,s,presume,0); int l,f,n=0;
  *reach=r;
  if(only_deciding && !(r&(r-1))) return 0;
  out_pass(t,out);
  int*slot=(int*)S.blk; /* per finding: its entry, or -1 (blk is free again after dd_reach) */
  for(f=0;f<t->nf;f++) slot[f]=-1;
  for(l=0;l<t->nl;l++){ f=t->bit_f[l]; int b=t->bit_b[l],x=s[f];
    if(b<0){ if(x==1 && !(presume && t->mimic[f])){ fidx[n]=f; nval[n]=2; masks[8*n]=out[2*l+1]; masks[8*n+1]=out[2*l]; n++; } }
    else if((x&(x-1)) && (x>>b&1)){ if(slot[f]<0){ slot[f]=n; fidx[n]=f; nval[n]=__builtin_popcount(x); n++; }
      masks[8*slot[f]+__builtin_popcount(x&((1<<b)-1))]=out[2*l+1]; } }
  if(!only_deciding) return n;
  int m=0,j,k;
  for(j=0;j<n;j++){ int dec=0; for(k=0;k<nval[j];k++) if(masks[8*j+k]!=r) dec=1;
    if(!dec) continue; fidx[m]=fidx[j]; nval[m]=nval[j]; for(k=0;k<8;k++) masks[8*m+k]=masks[8*j+k]; m++; }
  return m;
}

/* Weighted model counts for nq weight vectors (q: nq x nl): P(label) into pl (nq x nlab) and,
   when joint is not NULL, P(label and variable l = 1) into joint (nq x nlab x nl), both
   conditioned on the state (divided by P(valid)). The vectors go through side by side, 16 at a
   time while more than 8 are left, else 8 (the inner loops run over them with a fixed width KB, so the
   compiler vectorises them; a block's cost is mostly per node, so fewer, wider blocks are faster); a
   last partial block is padded with copies of its first row, unless it is a single vector. */
#define DEFINE_WMC_BLOCK(WMC_BLOCK,KB) \
static void WMC_BLOCK(const DTab*t,const unsigned char*s,int presume,const double*q,int nreal,int skip_lab, \
                      double*pl,double*joint){ \
  double*p=S.pk,*up=S.upk,*dn=S.dnk,*T=S.diffk,*J=S.jk,inv[KB]; \
  int i,L,l,k,r0; \
  for(k=0;k<KB;k++){ r0=k<nreal?k:0; double valid=probs_of(t,s,presume,q+(size_t)r0*t->nl,S.p); \
    inv[k]=valid>0?1.0/valid:0.0; for(l=0;l<t->nl;l++) p[l*KB+k]=S.p[l]; } \
  for(k=0;k<KB;k++){ up[k]=0.0; up[KB+k]=1.0; } \
  for(i=t->nn-1;i>=2;i--){ const double*pv=p+(size_t)t->level[i]*KB,*a=up+(size_t)t->lo[i]*KB,*b=up+(size_t)t->hi[i]*KB; \
    double*u=up+(size_t)i*KB; for(k=0;k<KB;k++) u[k]=a[k]+pv[k]*(b[k]-a[k]); } \
  for(L=0;L<t->nlab;L++) for(k=0;k<nreal;k++) pl[(size_t)k*t->nlab+L]=up[(size_t)t->roots[L]*KB+k]*inv[k]; \
  if(!joint) return; \
  /* Per label, a top-down pass over its cone: dn is the probability mass of the paths from the root \
     to each node. A path either tests level u or skips it, so \
     P(label, x_u=1) = sum_{n at u} dn(n) p_u up(hi n) + p_u (P(label) - sum_{n at u} dn(n) up(n)). \
     Cone entries are in level order, so both sums build up level by level. The label skip_lab is \
     left out here: the labels partition the valid completions, so its joint is what the others \
     leave (filled in below). A label without mass (unreachable) has no joint to compute. */ \
  int nroot=t->nlab+(t->valid_root>=0&&skip_lab>=0); \
  for(L=0;L<nroot;L++){ \
    if(L==skip_lab) continue; \
    /* the constraints' root (after the labels) writes its joint into S.jv (k x nl), not into joint */ \
    double*jout=L<t->nlab?joint+(size_t)L*t->nl:S.jv; size_t jstride=L<t->nlab?(size_t)t->nlab*t->nl:(size_t)t->nl; \
    int r=t->roots[L],j,cur=-1,any=0; const double*ur=up+(size_t)r*KB; \
    for(k=0;k<nreal;k++) any|=ur[k]!=0.0; \
    if(!any){ for(k=0;k<nreal;k++) memset(jout+(size_t)k*jstride,0,8*(size_t)t->nl); continue; } \
    double aJ[KB],aT[KB]; \
    const int*ce=t->ce+4*(size_t)t->cone_start[L],*cn=t->cone+t->cone_start[L]; int nc=t->cone_start[L+1]-t->cone_start[L]; \
    /* only the cone's own slots are read; the terminal slots past it are written and never read (zeroed once \
       at allocation), and a level's J and T are written once (levels the cone does not test get 0) */ \
    memset(dn,0,8*(size_t)nc*KB); \
    for(k=0;k<KB;k++){ dn[k]=1.0; aJ[k]=0.0; aT[k]=0.0; } \
    for(j=0;j<nc;j++,ce+=4){ const double*d=dn+(size_t)j*KB; int lv=t->level[cn[j]]; \
      if(lv!=cur){ if(cur>=0) for(k=0;k<KB;k++){ J[(size_t)cur*KB+k]=aJ[k]; T[(size_t)cur*KB+k]=aT[k]; aJ[k]=0.0; aT[k]=0.0; } \
                   memset(J+(size_t)(cur+1)*KB,0,8*(size_t)(lv-cur-1)*KB); memset(T+(size_t)(cur+1)*KB,0,8*(size_t)(lv-cur-1)*KB); \
                   cur=lv; } \
      const double*pv=p+(size_t)lv*KB; \
      const double*u0=up+(size_t)ce[2]*KB,*u1=up+(size_t)ce[3]*KB; \
      double*d0=dn+(size_t)ce[0]*KB,*d1=dn+(size_t)ce[1]*KB; \
      for(k=0;k<KB;k++){ double x1=d[k]*pv[k],x0=d[k]-x1,m1=x1*u1[k],m0=x0*u0[k]; \
        d0[k]+=x0; d1[k]+=x1; aJ[k]+=m1; aT[k]+=m0+m1; } } \
    if(cur>=0) for(k=0;k<KB;k++){ J[(size_t)cur*KB+k]=aJ[k]; T[(size_t)cur*KB+k]=aT[k]; } \
    memset(J+(size_t)(cur+1)*KB,0,8*(size_t)(t->nl-cur-1)*KB); memset(T+(size_t)(cur+1)*KB,0,8*(size_t)(t->nl-cur-1)*KB); \
    for(l=0;l<t->nl;l++){ const double*pv=p+(size_t)l*KB,*Jl=J+(size_t)l*KB,*Tl=T+(size_t)l*KB; \
      for(k=0;k<nreal;k++){ double sk=ur[k]-Tl[k]; if(sk<0.0) sk=0.0; \
        jout[(size_t)k*jstride+l]=(Jl[k]+pv[k]*sk)*inv[k]; } } \
  } \
  if(skip_lab>=0 && skip_lab<t->nlab && t->valid_root>=0){ \
    /* the constraints' joint, less the other labels' */ \
    for(k=0;k<nreal;k++) for(l=0;l<t->nl;l++){ double rest=S.jv[(size_t)k*t->nl+l]; \
      for(L=0;L<t->nlab;L++) if(L!=skip_lab) rest-=joint[((size_t)k*t->nlab+L)*t->nl+l]; \
      joint[((size_t)k*t->nlab+skip_lab)*t->nl+l]=rest>0.0?rest:0.0; } \
  } \
  else if(skip_lab>=0 && skip_lab<t->nlab){ \
    /* P(valid, x_l=1) / P(valid): a band's share within its finding, or P(present) */ \
    for(k=0;k<nreal;k++){ double*ptot=J; int c,jj; \
      for(l=0;l<t->nl;l++) ptot[l]=p[l*KB+k]; \
      for(c=0;c<t->ncat;c++){ double sw=0.0; for(jj=0;jj<t->cat_nb[c];jj++){ int l2=t->catl[t->cat_l0[c]+jj]; \
          double w=p[l2*KB+k]/(1.0-p[l2*KB+k]); ptot[l2]=w; sw+=w; } \
        for(jj=0;jj<t->cat_nb[c];jj++){ int l2=t->catl[t->cat_l0[c]+jj]; ptot[l2]=sw>0?ptot[l2]/sw:0.0; } } \
      for(l=0;l<t->nl;l++){ double rest=ptot[l]; \
        for(L=0;L<t->nlab;L++) if(L!=skip_lab) rest-=joint[((size_t)k*t->nlab+L)*t->nl+l]; \
        joint[((size_t)k*t->nlab+skip_lab)*t->nl+l]=rest>0.0?rest:0.0; } } \
  } \
}
DEFINE_WMC_BLOCK(wmc_block8,8)
DEFINE_WMC_BLOCK(wmc_block16,16)
DEFINE_WMC_BLOCK(wmc_block1,1)

void dd_wmc(const DTab*t,const unsigned char*s,int presume,const double*q,int nq,double*pl,double*joint){
  int k0;
  scratch(t);
  if(S.kcap_nn<t->nn || S.kcap_nl<t->nl+1){ S.kcap_nn=t->nn; S.kcap_nl=t->nl+1;
    S.upk=realloc(S.upk,8*(size_t)t->nn*16); free(S.dnk); S.dnk=calloc((size_t)(3*t->nn+2)*16,8);
    S.pk=realloc(S.pk,8*(size_t)(t->nl+1)*16); S.diffk=realloc(S.diffk,8*(size_t)(t->nl+1)*16);
    S.jk=realloc(S.jk,8*(size_t)(t->nl+1)*16); S.jv=realloc(S.jv,8*(size_t)(t->nl+1)*16); }
  /* blocks of 16 (more than 8 left) or 8, a single vector alone */
  for(k0=0;k0<nq;){ int r=nq-k0,kb=r>8?16:(r==1?1:8),n=r<kb?r:kb;
    (kb==16?wmc_block16:(kb==8?wmc_block8:wmc_block1))(t,s,presume,q+(size_t)k0*t->nl,n,t->skip_lab,
                                                     pl+(size_t)k0*t->nlab,joint?joint+(size_t)k0*t->nlab*t->nl:0);
    k0+=n; }
}

void* dd_new(void){ return calloc(1,sizeof(DTab)); }
void dd_free(void*t){ free(t); }
