/* The differential's per-case computation (myoclass.reasoning.differential): compiled after
   src/myoclass/logic/diagram_passes.c into one library (myoclass.logic.diagram.load_with_passes). */
#include <math.h>
#include <stdint.h>
#include <string.h>
typedef struct {
  int nc, nl, nlab;
  const double *prior, *q0;                                      /* nc; nc x nl */
  int nib; const int *ib_f, *ib_l; const double *ib_p, *ib_m, *ib_qsal;   /* nc x nib; nib; nc x nib */
  int ncat; const int *cat_f; const unsigned char *cat_restr; const double *cat_lik;  /* ncat x 256; ncat x 256 x nc */
  int bp_f, bp_l, nit; const int *it_f, *it_l; const double *bp_p, *it_p;  /* nc; nc x nit */
  int ck_f, nb, ne; const int *ck_l, *en_f, *en_l; const double *ck_p, *en_p;  /* nc x nb; ne x nb */
  const unsigned char *en_support, *ck_reads;
  int nca, ncv; const int *ca_f, *ca_l; const double *ca_p, *em_p, *ca_m, *em_qsal;  /* nc x ncv; nca x ncv */
  const unsigned char *ca_support;
  int nms, none_l; const int *ms_f, *ms_l; const double *ms_p; double ms_m;  /* nc x (nms+1) */
  int age_j, age_nb; const int *age_l;  /* the onset-age categorical: its index among the cats, its band levels */
} DModel;

#define MAXC 32
#define MAXV 8
static __thread double *QS; static __thread int QS_cap;

/* Returns the number of weight vectors k (their rows in Q, k x nl; weights w; conditions cond), after
   the weighted counts pl (k x nlab) and, with joint, the joints (k x nlab x nl), each conditioned on
   the diagram's constraints; 0 when the known findings have no mass under any condition; -1 where
   the numpy code must run instead. age_w (nc x the onset bands), or NULL: the weight of each onset band given
   the age at assessment, per row (each with its condition's diagnostic delay). */
int dd_differential(const DTab*t,const DModel*m,const unsigned char*s,int record,int some_ab,int budget,
                    double*Q,double*w,int*cond,double*pl,double*joint,double*plab,double*js,double*ei,double*pp,
                    const double*age_w){
  int nc=m->nc,nl=m->nl,d,j,b,e,c,f,v;
  if(nc>MAXC||m->nb>MAXV||m->ncv>MAXV||m->nca>MAXV) return -1;
  if(QS_cap<nc*nl){ QS_cap=nc*nl; QS=realloc(QS,8*(size_t)QS_cap); }
  double lik[MAXC]; double*q=QS;
  for(d=0;d<nc;d++){ lik[d]=m->prior[d]; memcpy(q+(size_t)d*nl,m->q0+(size_t)d*nl,8*(size_t)nl); }
  /* independent booleans */
  for(j=0;j<m->nib;j++){ int x=s[m->ib_f[j]],l=m->ib_l[j]; double mm=m->ib_m[j]; int sal=record&&x==1&&mm>0;
    for(d=0;d<nc;d++){ double p=m->ib_p[(size_t)d*m->nib+j];
      lik[d]*= x==2?p:(x==0?1.0-p:(sal?1.0-p*mm:1.0));
      q[(size_t)d*nl+l]= sal?m->ib_qsal[(size_t)d*m->nib+j]:p; } }
  /* independent categoricals: the likelihood of the allowed bands */
  for(j=0;j<m->ncat;j++){ int x=s[m->cat_f[j]];
    if(j==m->age_j && age_w){ /* the age at assessment weighs the onset bands (soft evidence) */
      for(d=0;d<nc;d++){ double*qd=q+(size_t)d*nl,tot=0.0;
        const double*wd=age_w+(size_t)d*m->age_nb; /* this row's weights (its condition's delay) */
        for(b=0;b<m->age_nb;b++){ double v=qd[m->age_l[b]]*wd[b]; qd[m->age_l[b]]=v; if(x>>b&1) tot+=v; }
        lik[d]*=tot; }
      continue; }
    if(!m->cat_restr[j*256+x]) continue;
    const double*L=m->cat_lik+((size_t)j*256+x)*nc; for(d=0;d<nc;d++) lik[d]*=L[d]; }
  /* biopsy (the diagram requires a biopsy of every item) */
  { int sb=s[m->bp_f],anypos=0;
    for(j=0;j<m->nit;j++) anypos|=s[m->it_f[j]]==2;
    for(d=0;d<nc;d++){ double*qd=q+(size_t)d*nl,bp=m->bp_p[d];
      if(sb==0){ lik[d]*=1.0-bp; continue; }
      double w1=bp,fr=1.0;
      for(j=0;j<m->nit;j++){ int x=s[m->it_f[j]]; double p=m->it_p[(size_t)d*m->nit+j];
        w1*= x==2?p:(x==0?1.0-p:1.0); if(x==1) fr*=1.0-p; qd[m->it_l[j]]=p; }
      if(sb==2){ lik[d]*=w1; qd[m->bp_l]=1.0; continue; }
      double w0=anypos?0.0:1.0-bp,num=w1*fr; lik[d]*=w1+w0; qd[m->bp_l]= num+w0>0?num/(num+w0):0.0; } }
  /* CK band and enzymes */
  { int x=s[m->ck_f],nread=0,rb=-1,unk=0; double efac[MAXV];
    for(b=0;b<m->nb;b++){ efac[b]=1.0; if((x>>b&1)&&m->ck_reads[b]){ if(rb<0) rb=b; nread++; } }
    for(e=0;e<m->ne;e++){ int se=s[m->en_f[e]]; if(se==1&&m->en_support[e]) unk=1;
      for(b=0;b<m->nb;b++){ double p=m->en_p[(size_t)e*m->nb+b]; efac[b]*= se==2?p:(se==0?1.0-p:1.0); } }
    if(nread>=2&&unk) return -1;
    for(d=0;d<nc;d++){ double*qd=q+(size_t)d*nl,wb[MAXV],tot=0.0;
      for(b=0;b<m->nb;b++){ wb[b]=m->ck_p[(size_t)d*m->nb+b]*efac[b]; qd[m->ck_l[b]]=wb[b]; if(x>>b&1) tot+=wb[b]; }
      lik[d]*=tot;
      for(e=0;e<m->ne;e++){ double a=0.0;
        if(rb>=0) a=m->en_p[(size_t)e*m->nb+rb];
        else if(tot>0){ for(b=0;b<m->nb;b++) if(x>>b&1) a+=wb[b]*m->en_p[(size_t)e*m->nb+b]; a/=tot; }
        qd[m->en_l[e]]=a; } } }
  /* myositis-specific antibody: one categorical variable (value 0 "none") under the diagram's exactly-one */
  { int npos=0,pos=-1,ok[64]; double red[64];
    if(m->nms+1>64) return -1;
    for(v=0;v<m->nms;v++) if(s[m->ms_f[v]]==2){ npos++; pos=v; }
    if(npos>=2) return -1;
    ok[0]=npos==0; red[0]=1.0;
    for(v=1;v<=m->nms;v++){ int x=s[m->ms_f[v-1]]; ok[v]= npos? (v-1==pos) : x!=0;
      red[v]= (record&&some_ab&&x==1)?1.0-m->ms_m:1.0; }
    for(d=0;d<nc;d++){ double*qd=q+(size_t)d*nl,tot=0.0; const double*P=m->ms_p+(size_t)d*(m->nms+1);
      for(v=0;v<=m->nms;v++){ double wv=ok[v]?P[v]*red[v]:0.0; tot+=wv;
        qd[v?m->ms_l[v-1]:m->none_l]=wv/(1.0+wv); }
      lik[d]*=tot; } }
  /* non-immune cause: one categorical; branched where a condition has two causes and both findings are unknown */
  double cq[MAXV][MAXV],cfac[MAXV]; int nfree=0;
  for(c=0;c<m->ncv;c++) cfac[c]=1.0;
  for(f=0;f<m->nca;f++){ int x=s[m->ca_f[f]]; double mm=m->ca_m[f]; int sal=record&&x==1&&mm>0;
    if(x==1&&m->ca_support[f]) nfree++;
    for(c=0;c<m->ncv;c++){ double p=m->em_p[(size_t)f*m->ncv+c];
      cfac[c]*= x==2?p:(x==0?1.0-p:(sal?1.0-p*mm:1.0));
      cq[f][c]= sal?m->em_qsal[(size_t)f*m->ncv+c]:p; } }
  double wc[MAXC][MAXV]; int multi[MAXC],branch=0;
  for(d=0;d<nc;d++){ int npos=0; for(c=0;c<m->ncv;c++){ wc[d][c]=m->ca_p[(size_t)d*m->ncv+c]*cfac[c]; npos+=wc[d][c]>0; }
    multi[d]=npos>=2; if(multi[d]) branch=1; }
  if(nfree<2) branch=0;
  /* the weight vectors, condition by condition, options in cause order (as the numpy code's C order) */
  int k=0;
  for(d=0;d<nc;d++){ double tot=0.0; for(c=0;c<m->ncv;c++) tot+=wc[d][c];
    double mix[MAXV];
    for(f=0;f<m->nca;f++){ double a=0.0; if(tot>0){ for(c=0;c<m->ncv;c++) a+=wc[d][c]*cq[f][c]; a/=tot; } mix[f]=a; }
    int nopt= (branch&&multi[d])?m->ncv:1;
    for(c=0;c<nopt;c++){
      double ow= (branch&&multi[d])?wc[d][c]:tot, wt=lik[d]*ow;
      if(!(wt>0)) continue;
      if(k>=budget) return -1;
      double*row=Q+(size_t)k*nl; memcpy(row,q+(size_t)d*nl,8*(size_t)nl);
      for(f=0;f<m->nca;f++) row[m->ca_l[f]]= (branch&&multi[d])?cq[f][c]:mix[f];
      w[k]=wt; cond[k]=d; k++; } }
  if(!k) return 0;
  dd_wmc(t,s,0,Q,k,pl,joint);
  /* condition each vector on the diagram's constraints (their probability is the labels' sum) */
  int L,nlab=m->nlab;
  for(j=0;j<k;j++){ double z=0.0; for(L=0;L<nlab;L++) z+=pl[(size_t)j*nlab+L];
    double inv=z>0?1.0/z:0.0;
    for(L=0;L<nlab;L++) pl[(size_t)j*nlab+L]*=inv;
    if(joint){ double*J=joint+(size_t)j*nlab*nl; for(L=0;L<nlab*nl;L++) J[L]*=inv; } }
  /* the mixture: mass per vector (into w), the differential, and with the joints their mixture and,
     per boolean level, P(present) and the expected drop of the differential's entropy (bits); per band
     level, P(band) and its term of the conditional entropy */
  double tot=0.0; for(j=0;j<k;j++) tot+=w[j];
  if(!(tot>0) || tot!=tot || tot>1e308) return 0;
  for(j=0;j<k;j++) w[j]/=tot;
  double sp=0.0;
  for(L=0;L<nlab;L++){ double a=0.0; for(j=0;j<k;j++) a+=w[j]*pl[(size_t)j*nlab+L]; plab[L]=a>0?a:0.0; sp+=plab[L]; }
  for(L=0;L<nlab;L++) plab[L]/=sp;
  if(!joint) return k;
  memset(js,0,8*(size_t)nlab*nl);
  for(j=0;j<k;j++){ const double*J=joint+(size_t)j*nlab*nl; double mj=w[j];
    for(L=0;L<nlab*nl;L++) js[L]+=mj*J[L]; }
  double H=0.0; for(L=0;L<nlab;L++) if(plab[L]>0) H-=plab[L]*log2(plab[L]);
  int l;
  for(l=0;l<nl;l++){ ei[l]=0.0; pp[l]=0.0;
    if(t->bit_b[l]>=0){ /* a band: P(band) into pp, its term of H(L | finding) into ei,
                           -sum_L P(L, band) log2(P(L, band) / P(band)) (the finding's terms sum to it) */
      double tb=0.0,cb=0.0;
      for(L=0;L<nlab;L++){ double a=js[(size_t)L*nl+l]; if(a>0){ tb+=a; cb-=a*log2(a); } }
      if(tb>0) cb+=tb*log2(tb);
      pp[l]=tb; ei[l]=cb; continue; }
    double t1=0.0,t0=0.0,c1=0.0,c0=0.0;
    for(L=0;L<nlab;L++){ double a=js[(size_t)L*nl+l],b=plab[L]-a; if(b<0) b=0.0;
      t1+=a; t0+=b; if(a>0) c1-=a*log2(a); if(b>0) c0-=b*log2(b); }
    /* sum_v P(v) H(L | v) = -sum P log P + sum_v P(v) log P(v) */
    double hc=c1+c0+(t1>0?t1*log2(t1):0.0)+(t0>0?t0*log2(t0):0.0), x=H-hc;
    ei[l]= x<1e-12?0.0:x; pp[l]=t1; }
  return k;
}

/* x log2 x summed over x[0..n-1] (x >= 0; 0 log 0 = 0), without a libm call per term: x = 2^k m with
   m in [sqrt(1/2), sqrt(2)), k and m read from the bits (musl's split; k as a double by the 2^52 trick),
   log2 m = 2 atanh(s) / ln 2 with s = (m - 1) / (m + 1), |s| < 0.172, summed to the s^21 term (the first
   term left out is below 1e-17 relative; measured against log2 over a million values from 1e-300 to 1,
   at most 4.2e-16 relative, as libm). No branch, so the compiler vectorises eight terms at a time,
   and builds an AVX2 copy too where it can (chosen when the library loads). A value below the normal
   range (< 2.2e-308) gives a term below 1e-305. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define MC_CLONES __attribute__((target_clones("avx2","default")))
#else
#define MC_CLONES
#endif
MC_CLONES static double sum_xlog2x(const double*x,int n){
  double y[8]={0,0,0,0,0,0,0,0},r; int i,k;
  for(i=0;i+8<=n;i+=8) for(k=0;k<8;k++){ double v=x[i+k],m,kd; uint64_t u,t,mb,qb;
    memcpy(&u,&v,8);
    t=u+((1024ULL<<52)-0x3fe6a09e667f3bcdULL);                      /* bits of sqrt(1/2) */
    qb=(t>>52)|0x4330000000000000ULL; memcpy(&kd,&qb,8); kd-=4503599627371520.0;  /* k = (t >> 52) - 1024 */
    mb=(t&0x000fffffffffffffULL)+0x3fe6a09e667f3bcdULL; memcpy(&m,&mb,8);
    double s=(m-1.0)/(m+1.0),s2=s*s,p=1.0/21;
    p=p*s2+1.0/19; p=p*s2+1.0/17; p=p*s2+1.0/15; p=p*s2+1.0/13; p=p*s2+1.0/11;
    p=p*s2+1.0/9; p=p*s2+1.0/7; p=p*s2+1.0/5; p=p*s2+1.0/3; p=p*s2+1.0;
    y[k]+=v*(kd+2.8853900817779268*s*p); }                            /* 2 / ln 2 */
  r=((y[0]+y[1])+(y[2]+y[3]))+((y[4]+y[5])+(y[6]+y[7]));
  for(;i<n;i++) if(x[i]>0) r+=x[i]*log2(x[i]);
  return r;
}

/* X[v] += a * y[v], v < n (the compiler vectorises it) */
MC_CLONES static void axpy(double*X,double a,const double*y,int n){ int i; for(i=0;i<n;i++) X[i]+=a*y[i]; }

/* H(L' | V) over the biopsy item assignments v (sorted by group: group g is starts[g] .. starts[g+1]-1):
   P(L', v) = sum_d likT[d][v] PLd[g][d][L'] (likT: conditions x assignments), with only the conditions and
   labels that carry mass in the group (a group with one such label adds no entropy, only its mass:
   liksum[g][d] = sum of lik over the group); also P(L') into plab. Returns
   sum_v P(v) H(L' | v) = -sum P log P + sum_v P(v) log P(v). The assignments go through in chunks of
   CH: per label, its P(L', v) for the chunk, their x log2 x and their sum into P(v). */
#define CH 256
double dd_items_entropy(int G,const long*starts,const double*likT,const double*liksum,int nc,const double*PLd,int nlab,
                        double*plab){
  int g,d,L; long V=starts[G]; double h=0.0; int ld[64],ll[64]; double X[CH],T[CH];
  if(nc>64||nlab>64) return -1.0;
  for(L=0;L<nlab;L++) plab[L]=0.0;
  for(g=0;g<G;g++){ const double*P=PLd+(size_t)g*nc*nlab; int nd=0,nL=0;
    for(d=0;d<nc;d++){ int any=0; for(L=0;L<nlab;L++) any|=P[d*nlab+L]!=0.0; if(any) ld[nd++]=d; }
    for(L=0;L<nlab;L++){ int any=0; for(d=0;d<nc;d++) any|=P[d*nlab+L]!=0.0; if(any) ll[nL++]=L; }
    if(nL<=1){ /* one label whatever the assignment: no entropy; its mass from the group's sums per condition */
      if(nL==1) for(int b=0;b<nd;b++) plab[ll[0]]+=liksum[(size_t)g*nc+ld[b]]*P[ld[b]*nlab+ll[0]];
      continue; }
    long v0;
    for(v0=starts[g];v0<starts[g+1];v0+=CH){ int n=(int)(starts[g+1]-v0<CH?starts[g+1]-v0:CH),i;
      for(i=0;i<n;i++) T[i]=0.0;
      for(int a=0;a<nL;a++){ int L2=ll[a]; double s=0.0;
        for(i=0;i<n;i++) X[i]=0.0;
        for(int b=0;b<nd;b++){ double c=P[ld[b]*nlab+L2]; if(c!=0.0) axpy(X,c,likT+(size_t)ld[b]*V+v0,n); }
        for(i=0;i<n;i++){ s+=X[i]; T[i]+=X[i]; }
        plab[L2]+=s; h-=sum_xlog2x(X,n); }
      h+=sum_xlog2x(T,n); } }
  return h;
}

void* dm_new(void){ return calloc(1,sizeof(DModel)); }
