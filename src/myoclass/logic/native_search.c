/* The label search in C: pick, search, analyse and the batch row loop of myoclass.logic.native.
   Not compiled alone: myoclass.logic.native.c_source() writes the rule tables and the generated
   evaluation code (KIND, PARAM, RULE, eval_all, UPD, rules_mask, ...) before this text. */
static int pick(int i,const unsigned char*s,const signed char*v,const short*lo,const short*hi){
  int k=KIND[i],j,r;
  switch(k){
  case 1: return s[PARAM[i]]==1?PARAM[i]:-1;
  case 2: return v[i]==1?PARAM[i]:-1;
  case 9: {int c=KIDS[KID0[i]];
           if(v[c]==1) return pick(c,s,v,lo,hi);
           return pick(v[c]==2?KIDS[KID0[i]+1]:KIDS[KID0[i]+2],s,v,lo,hi);}
  case 8: return pick(KIDS[KID0[i]],s,v,lo,hi);
  case 7: for(j=TERM0[i];j<TERM0[i+1];j++){int tk=TERMS[3*j],x=TERMS[3*j+1],t=TERMS[3*j+2];
            if(tk==0){if(v[x]==1) return pick(x,s,v,lo,hi);}
            else if(CT[t][0][s[x]]!=CT[t][1][s[x]]) return x;}
          return -1;
  default:
    for(j=KID0[i];j<KID0[i+1];j++){int c=KIDS[j];
      if(KIND[c]==7||v[c]==1){r=pick(c,s,v,lo,hi);if(r>=0)return r;}}
    return -1;
  }
}

#define MAXSTACK 2048
#define MAXW 2048
#include <stdlib.h>
#include <stdio.h>
/* All working memory of a search, one per thread (the web server and the batch engine call in
   from several threads; ctypes releases the GIL). */
/* a search node: the findings and the value of every rule node under them */
typedef struct { unsigned char s[NV]; signed char v[NN]; short lo[NSUM]; short hi[NSUM]; } Node;
typedef struct {
  Node stack[MAXSTACK];
  Node root;
  unsigned char wit[MAXW][NV];
  unsigned wlab[MAXW];
  int nw;
} Ctx;
static __thread Ctx* TCTX;
static Ctx* ctx_get(void){ if(!TCTX) TCTX=(Ctx*)calloc(1,sizeof(Ctx)); return TCTX; }

/* Depth-first label search (see Engine.search); witnesses are appended to the pool. */
/* Depth-first label search (see Engine.search) from an evaluated node; witnesses go to the pool.
   A node is split in place: its first child overwrites it, the others are copied above it. */
static unsigned search_top(Ctx*c,unsigned found,unsigned want,int budget,int*nodes_out,int*exact_out);
static unsigned search_from(Ctx*c,const Node*start,unsigned found,unsigned want,int budget,int*nodes_out,int*exact_out){
  c->stack[0]=*start;
  return search_top(c,found,want,budget,nodes_out,exact_out);
}
/* the search from the node already in c->stack[0] */
static unsigned search_top(Ctx*c,unsigned found,unsigned want,int budget,int*nodes_out,int*exact_out){
  int sp=1,nodes=0,exact=1;
  while(sp){
    Node*cur=&c->stack[sp-1];
    int fo; unsigned m=rules_mask(cur->v,&fo); nodes++;
    unsigned nw=m&want&~found;
    if(!nw){sp--;continue;}
    if(!(m&(m-1))){found|=m; if(c->nw<MAXW){memcpy(c->wit[c->nw],cur->s,NV);c->wlab[c->nw]=m;c->nw++;}
                   sp--; if(!(want&~found)) break; continue;}
    if(nodes>budget){exact=0;found|=m&want;sp--;continue;}
    int target=__builtin_ctz(nw), rule=fo;
    if(target<NR && cur->v[RULE[target]]==1) rule=target;
    int var=pick(RULE[rule],cur->s,cur->v,cur->lo,cur->hi);
    if(var<0){exact=0;found|=m&want;sp--;continue;}
    int vals[8],nv=0;
    if(VBOOL[var]){vals[0]=0;vals[1]=2;nv=2;}
    else {int bit; for(bit=1;bit<=cur->s[var];bit<<=1) if(cur->s[var]&bit) vals[nv++]=bit;}
    if(sp+nv-1>MAXSTACK){exact=0;found|=m&want;sp--;continue;}
    int j;
    for(j=1;j<nv;j++){
      Node*ch=&c->stack[sp++]; *ch=*cur; ch->s[var]=(unsigned char)vals[j];
      if(UPD[var]) UPD[var](ch->s,ch->v,ch->lo,ch->hi);
    }
    cur->s[var]=(unsigned char)vals[0];
    if(UPD[var]) UPD[var](cur->s,cur->v,cur->lo,cur->hi);
  }
  *nodes_out=nodes;*exact_out=exact;return found;
}

static unsigned search_core(Ctx*c,const unsigned char*root,unsigned found,unsigned want,int budget,int*nodes_out,int*exact_out){
  Node*r=&c->root; memcpy(r->s,root,NV); eval_all(r->s,r->v,r->lo,r->hi);
  return search_from(c,r,found,want,budget,nodes_out,exact_out);
}

unsigned search(const unsigned char*root,unsigned found,unsigned want,int budget,
                unsigned char*wit,unsigned*wit_lab,int*n_wit,int max_wit,int*nodes_out,int*exact_out){
  Ctx*c=ctx_get(); c->nw=0; unsigned f=search_core(c,root,found,want,budget,nodes_out,exact_out);
  int k,n=c->nw<max_wit?c->nw:max_wit;
  for(k=0;k<n;k++){memcpy(wit+NV*k,c->wit[k],NV);wit_lab[k]=c->wlab[k];}
  *n_wit=n; return f;
}

static unsigned root_mask_(Ctx*c,const unsigned char*s){int fo; Node*r=&c->root; memcpy(r->s,s,NV);
  eval_all(r->s,r->v,r->lo,r->hi); return rules_mask(r->v,&fo);}
unsigned root_mask(const unsigned char*s){return root_mask_(ctx_get(),s);}

/* Engine.analyse: reachable labels, then per deciding finding the labels reachable per value.
   out_var[k], out_nval[k], out_masks[8*k+j]; returns the number of findings reported (at most cap). */
static int analyse_core(Ctx*c,const unsigned char*root,const int*dec,int ndec,int main_budget,int search_budget,
            int test_budget,unsigned*reach_out,int*exact_out,int*tests_exact_out,int*out_var,int*out_nval,
            unsigned*out_masks,int cap){
  int nodes,exact,k,j,w,n=0,spent=0,tests_exact=1;
  c->nw=0;
  Node base; memcpy(base.s,root,NV); eval_all(base.s,base.v,base.lo,base.hi);
  unsigned reach=search_from(c,&base,0,0xFFFFFFFFu,main_budget,&nodes,&exact);
  *reach_out=reach;*exact_out=exact;*tests_exact_out=1;
  if(!(reach&(reach-1))) return 0;
  int nw0=c->nw; /* findings that the main search's witnesses fix */
  for(k=0;k<ndec&&n<cap;k++){
    int i=dec[k],fixed=0;
    for(w=0;w<nw0&&!fixed;w++) if(c->wit[w][i]!=root[i]) fixed=1;
    if(!fixed) continue;
    int vals[8],nv=0,x=root[i];
    if(VBOOL[i]){vals[0]=2;vals[1]=0;nv=2;}
    else {int b; for(b=0;b<8;b++) if(x>>b&1) vals[nv++]=1<<b;}
    out_var[n]=i; out_nval[n]=nv;
    for(j=0;j<nv;j++){
      int val=vals[j]; unsigned covered=0;
      for(w=0;w<c->nw;w++){ if(covered&c->wlab[w]) continue; int y=c->wit[w][i];
        if(VBOOL[i]?(y==1||y==val):(y&val)) covered|=c->wlab[w]; }
      unsigned missing=reach&~covered;
      if(missing){
        Node*probe=&c->stack[0]; *probe=base; probe->s[i]=(unsigned char)val;  /* built where the search starts */
        if(UPD[i]) UPD[i](probe->s,probe->v,probe->lo,probe->hi);
        int fo2; unsigned possible=missing&rules_mask(probe->v,&fo2);
        if(possible && spent>=test_budget){covered|=possible;tests_exact=0;}
        else if(possible){
          int b=test_budget-spent; if(b>search_budget) b=search_budget;
          int nn,ex; covered=search_top(c,covered,possible,b,&nn,&ex);
          spent+=nn; if(!ex) tests_exact=0;
        }
      }
      out_masks[8*n+j]=covered&reach;
    }
    n++;
  }
  *tests_exact_out=tests_exact;
  return n;
}

int analyse(const unsigned char*root,const int*dec,int ndec,int main_budget,int search_budget,int test_budget,
            unsigned*reach_out,int*exact_out,int*tests_exact_out,int*out_var,int*out_nval,unsigned*out_masks){
  return analyse_core(ctx_get(),root,dec,ndec,main_budget,search_budget,test_budget,reach_out,exact_out,
                      tests_exact_out,out_var,out_nval,out_masks,256);
}

/* ---- batch: analyse many rows and write each row's next tests as JSON (the batch engine) ---- */
typedef struct {
  int nlabels; const char* const* labels;        /* label names, precedence order */
  const char* const* keys;                        /* per finding: flat key */
  const char* const* bands;                       /* per finding: 8 band names (categorical) or NULLs */
  const unsigned char* tier;                      /* per finding */
  int biopsy_var; const int* hyp_vars; int nhyp;  /* biopsy_performed and the biopsy findings to open */
  const int* mimic_vars; int nmimic;              /* rules-out findings, in report order */
  int dystrophic_var;                             /* skipped as a rules-out test when no biopsy was done */
  unsigned exclusion_mask;                        /* labels that need a better explanation ruled out */
} Tables;

/* The decision diagram's passes (myoclass.logic._passes_c, a library of their own): when given, the
   row loop takes the reachable labels, the deciding findings and the what-if-a-biopsy labels from
   them, exact with no budget, instead of the budgeted search. */
/* at most this many unknown deciding findings: the row loop tries the search before the diagram */
#define QUICK_UNKNOWNS 24
typedef struct {
  const void* tab;  /* its DTab */
  int (*outcomes)(const void*,const unsigned char*,int,int,uint32_t*,int*,int*,uint32_t*);
  uint32_t (*reach)(const void*,const unsigned char*,int,uint32_t*);
} DDPasses;

static const char* lab_name(const Tables*t,unsigned m){
  if(m && !(m&(m-1))) return t->labels[__builtin_ctz(m)];
  return "undetermined";
}

typedef struct { int n; int nv; unsigned masks[8]; int var; double avg; int tier; int kind; } Entry;

static int put(char*buf,long cap,long*pos,const char*s){
  long l=(long)strlen(s); if(*pos+l>=cap) return -1; memcpy(buf+*pos,s,(size_t)l); *pos+=l; return 0;
}

/* returns rows done; per row: reach, exact flags; JSON written to buf with offsets[row+1] */
long analyse_batch(const unsigned char*states,const unsigned char*shown_mimic_unknown,long nrows,
                   const int*dec,int ndec,int main_budget,int search_budget,int test_budget,const Tables*t,
                   const DDPasses*dd,unsigned*reach,unsigned char*exact,unsigned char*tests_exact,
                   char*buf,long cap,long long*offsets){
  Ctx*c=ctx_get();
  int vars[256],nvals[256]; uint32_t masks[256*8];
  unsigned char isdec[NV]; /* the findings the engine reports on (rule findings that are not mimics) */
  Entry es[300];
  long r,pos=offsets[0];
  memset(isdec,0,NV); { int d; for(d=0;d<ndec;d++) isdec[dec[d]]=1; }
  for(r=0;r<nrows;r++){
    const unsigned char*root=states+r*NV;
    int ex,tex,n; unsigned rm;
    int quick=0;
    if(dd && !((rm=root_mask_(c,root))&(rm-1))){ n=0; ex=1; tex=1; quick=1; } /* Kleene gives one label: settled */
    else if(dd){ /* with few unknown findings the search is cheaper than the diagram's passes: try it first on a
                    small budget, and keep its answer only when it finished (then it is exact); otherwise, and
                    always with many unknowns, the diagram, exact with no budget */
      int d2,unk=0;
      for(d2=0;d2<ndec;d2++){ unsigned v=root[dec[d2]]; unk+=VBOOL[dec[d2]]?(v==1):((v&(v-1))!=0); }
      if(unk<=QUICK_UNKNOWNS){
        int qb=main_budget/4, qs=search_budget/4, qt=test_budget/4;
        n=analyse_core(c,root,dec,ndec,qb<64?64:qb,qs<64?64:qs,qt<64?64:qt,&rm,&ex,&tex,vars,nvals,masks,256);
        quick=ex&&tex;
      }
    }
    if(quick){}
    else if(dd){ /* exact on the diagram; its findings come in level order: keep the engine's, by finding index */
      uint32_t r32; int k2,m2=0;
      n=dd->outcomes(dd->tab,root,1,1,&r32,vars,nvals,masks); rm=r32; ex=1; tex=1;
      for(k2=0;k2<n;k2++){ if(!isdec[vars[k2]]) continue; int v0=vars[k2],n0=nvals[k2],j2; uint32_t m0[8];
        memcpy(m0,masks+8*k2,sizeof m0); j2=m2-1;
        while(j2>=0 && vars[j2]>v0){ vars[j2+1]=vars[j2]; nvals[j2+1]=nvals[j2];
                                     memcpy(masks+8*(j2+1),masks+8*j2,sizeof m0); j2--; }
        vars[j2+1]=v0; nvals[j2+1]=n0; memcpy(masks+8*(j2+1),m0,sizeof m0); m2++; }
      n=m2;
    } else n=analyse_core(c,root,dec,ndec,main_budget,search_budget,test_budget,&rm,&ex,&tex,vars,nvals,masks,256);
    reach[r]=rm; exact[r]=(unsigned char)ex; tests_exact[r]=(unsigned char)tex;
    int ne=0,k,j;
    if(rm&(rm-1)){
      for(k=0;k<n;k++){
        int all=1,sum=0; for(j=0;j<nvals[k];j++){ if(masks[8*k+j]!=rm) all=0; sum+=__builtin_popcount(masks[8*k+j]); }
        if(all) continue;
        es[ne].var=vars[k]; es[ne].nv=nvals[k]; memcpy(es[ne].masks,masks+8*k,sizeof(unsigned)*8);
        es[ne].avg=(double)sum/nvals[k]; es[ne].tier=t->tier[vars[k]]; es[ne].kind=0; ne++;
      }
    }
    if(root[t->biopsy_var]==0){
      unsigned char hyp[NV]; memcpy(hyp,root,NV); int h;
      for(h=0;h<t->nhyp;h++) hyp[t->hyp_vars[h]]=1;
      hyp[t->biopsy_var]=2;
      unsigned wb=root_mask_(c,hyp);
      if(dd){ if(wb&(wb-1)) wb=dd->reach(dd->tab,hyp,1,0); }
      else if(wb!=rm){ int nn,e2; c->nw=0; wb=search_core(c,hyp,0,0xFFFFFFFFu,500,&nn,&e2); }
      if(wb!=rm){ es[ne].var=t->biopsy_var; es[ne].nv=2; es[ne].masks[0]=wb; es[ne].masks[1]=rm;
                  es[ne].avg=__builtin_popcount(wb); es[ne].tier=3; es[ne].kind=1; ne++; }
    }
    /* stable insertion sort by (avg, tier) */
    for(k=1;k<ne;k++){ Entry x=es[k]; j=k-1;
      while(j>=0 && (es[j].avg>x.avg || (es[j].avg==x.avg && es[j].tier>x.tier))){ es[j+1]=es[j]; j--; }
      es[j+1]=x; }
    int ok=put(buf,cap,&pos,"[");
    int first=1;
    for(k=0;k<ne&&ok==0;k++){
      const Entry*e=&es[k];
      if(!first) ok|=put(buf,cap,&pos,","); first=0;
      ok|=put(buf,cap,&pos,"{\"finding\":\""); ok|=put(buf,cap,&pos,t->keys[e->var]);
      if(e->kind==1 || VBOOL[e->var]){
        ok|=put(buf,cap,&pos,"\",\"purpose\":\"decides\",\"if_true\":\""); ok|=put(buf,cap,&pos,lab_name(t,e->masks[0]));
        ok|=put(buf,cap,&pos,"\",\"if_false\":\""); ok|=put(buf,cap,&pos,lab_name(t,e->masks[1]));
        ok|=put(buf,cap,&pos,"\"}");
      } else {
        ok|=put(buf,cap,&pos,"\",\"purpose\":\"decides\",\"if_true\":null,\"if_false\":null,\"outcomes\":{");
        int b,q=0,x=root[e->var];
        for(b=0;b<8;b++) if(x>>b&1){
          if(q) ok|=put(buf,cap,&pos,",");
          ok|=put(buf,cap,&pos,"\""); ok|=put(buf,cap,&pos,t->bands[8*e->var+b]); ok|=put(buf,cap,&pos,"\":\"");
          ok|=put(buf,cap,&pos,lab_name(t,e->masks[q])); ok|=put(buf,cap,&pos,"\""); q++; }
        ok|=put(buf,cap,&pos,"}}");
      }
    }
    if(rm & t->exclusion_mask){
      int m2;
      for(m2=0;m2<t->nmimic&&ok==0;m2++){
        int var=t->mimic_vars[m2];
        if(!(shown_mimic_unknown[r]>>m2&1)) continue;
        if(var==t->dystrophic_var && root[t->biopsy_var]==0) continue;
        if(!first) ok|=put(buf,cap,&pos,","); first=0;
        ok|=put(buf,cap,&pos,"{\"finding\":\""); ok|=put(buf,cap,&pos,t->keys[var]);
        ok|=put(buf,cap,&pos,"\",\"purpose\":\"rules_out\",\"if_true\":null,\"if_false\":null}");
      }
    }
    ok|=put(buf,cap,&pos,"]");
    if(ok) return r;   /* out of space: the caller continues from this row */
    offsets[r+1]=pos;
  }
  return nrows;
}
