# ruff: noqa: E501
"""Published cases from articles, converted by hand under data/validation/RULES.md.

Each case: the text was retrieved (URL in `url`), every flat key has an evidence string.
`E` maps one evidence string to several keys: E("ck_u_l ck_uln_u_l", "CK 9562 U/L (normal 30-200)").
"""
from __future__ import annotations

CASES: list[dict] = []


def case(case_id, label, *, pmid=None, doi=None, citation, url, patient="single case report", dx, flat, ev):
    evidence: dict[str, str] = {}
    for keys, text in ev.items():
        for k in keys.split():
            evidence[k] = text
    missing = set(flat) - set(evidence)
    extra = set(evidence) - set(flat)
    assert not missing and not extra, (case_id, missing, extra)
    CASES.append({
        "case_id": case_id,
        "reference_label": label,
        "source": {"pmid": pmid, "doi": doi, "citation": citation, "retrieved_from": url, "patient": patient},
        "final_diagnosis_as_written": dx,
        "evidence": evidence,
        "flat_case": flat,
    })


SKIN_NONE = {"skin_heliotrope": False, "skin_gottron_papules": False, "skin_gottron_sign": False,
             "skin_other_dm_rash": False, "skin_mechanics_hands": False}
SKIN_KEYS = " ".join(SKIN_NONE)
DM_RASH_NONE = {k: False for k in ("skin_heliotrope", "skin_gottron_papules", "skin_gottron_sign", "skin_other_dm_rash")}
DM_RASH_KEYS = " ".join(DM_RASH_NONE)
PROX = {"weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True}
PROX_KEYS = "weakness_proximal_upper_symmetric weakness_proximal_lower_symmetric"
# Euroline-type myositis line blot (RULES.md section 6) when only "myositis panel negative" is written
PANEL = ["ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_srp", "ab_mi2", "ab_mda5", "ab_tif1g", "ab_nxp2",
         "ab_sae", "ab_ku", "ab_pmscl", "ab_ro52"]


def panel_neg(*, except_=()):
    return {k: False for k in PANEL if k not in except_}


def panel_keys(*, except_=()):
    return " ".join(k for k in PANEL if k not in except_)


# ---------------------------------------------------------------- IMNM anti-SRP
case("art-meireles2020-srp", "imnm_anti_srp", pmid="31922478", doi="10.5152/eurjrheum.2019.19162",
     citation="Meireles E, Malheiro J, Taipa R, Alves M. Immune-mediated necrotizing myopathy associated with antibodies to the signal recognition particle: A rare cause of hyperCKaemia. Eur J Rheumatol 2020;7(3):143-144",
     url="https://pmc.ncbi.nlm.nih.gov/articles/PMC7431348",
     dx="IMNM associated with anti-SRP antibodies",
     flat={"age_years": 73, "sex": "male", "age_at_onset_years": 73, "symptom_duration_months": 3, "onset_tempo": "subacute",
           "symptom_difficulty_rising_from_chair": True, "symptom_difficulty_lifting_arms_overhead": True,
           "dysphagia": False, **SKIN_NONE, "weight_loss": False, "statin_exposure": False, "other_myotoxic_drug": False,
           "ck_u_l": 9562, "ck_uln_u_l": 200, "ab_srp": True, "emg_myopathic": True, "emg_spontaneous_activity": True,
           "biopsy_performed": True, "biopsy_necrotic_fibers": True, "biopsy_necrosis_predominant": True,
           "biopsy_regenerating_fibers": True, "biopsy_lymphocytic_infiltrate_prominent": False, "biopsy_mhc1_upregulation": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "73-year-old Caucasian male", "age_at_onset_years symptom_duration_months onset_tempo": "3 months evolution of severe progressive proximal weakness (rules 1: <12 months -> presenting age; 4 wk-6 mo -> subacute)",
         "symptom_difficulty_rising_from_chair": "difficulty in standing up from sitting position", "symptom_difficulty_lifting_arms_overhead": "difficulty ... combing hair",
         "dysphagia": "No history of dysphagia", SKIN_KEYS: "No history of ... skin rashes", "weight_loss": "no ... weight loss",
         "statin_exposure other_myotoxic_drug": "not taking any myotoxic drugs", "ck_u_l ck_uln_u_l": "CK 9562 (normal range 30-200) units/L",
         "ab_srp": "Antisignal recognition particle (SRP) was positive", "emg_myopathic emg_spontaneous_activity": "diffuse myopathy with fibrillations",
         "biopsy_performed biopsy_necrotic_fibers biopsy_necrosis_predominant biopsy_lymphocytic_infiltrate_prominent": "Necrotic fibers and regeneration, in the absence of inflammatory infiltrates",
         "biopsy_regenerating_fibers": "regenerating fibers (fetal myosin)", "biopsy_mhc1_upregulation": "upregulation of sarcolemmal MHC class I",
         "immunosuppression_response": "prednisolone: weakness improved, steady functional recovery"})

# ---------------------------------------------------------------- other non-immune: hypothyroid
case("art-jervis2019-hypothyroid", "other_non_immune", doi="10.1530/endoabs.65.P425",
     citation="Shah N, Jervis W, Mongolu S, Sathyapalan T. Severe proximal myopathy with high creatine kinase levels secondary to Hashimoto's thyroiditis. Endocrine Abstracts 2019;65:P425 (full report: Jervis W et al. BMJ Case Rep 2019;12(7):e230427, PMC6663251)",
     url="https://www.endocrine-abstracts.org/ea/0065/ea0065P425 ; https://pmc.ncbi.nlm.nih.gov/articles/PMC6663251",
     dx="Severe proximal myopathy secondary to primary hypothyroidism (Hashimoto's thyroiditis)",
     flat={"age_years": 30, "sex": "female", "age_at_onset_years": 30, "symptom_duration_months": 3, "onset_tempo": "subacute",
           "symptom_myalgia": True, "symptom_fatigue": True, **PROX, "ck_u_l": 5124, "ck_elevated": True, "hypothyroidism": True,
           "statin_exposure": False, "other_myotoxic_drug": False},
     ev={"age_years sex": "30-year-old teacher ... She had a baby", "age_at_onset_years symptom_duration_months onset_tempo": "3 month history of muscle weakness, pain and spasms",
         "symptom_myalgia": "muscle weakness, pain and spasms; proximal weakness with tenderness", "symptom_fatigue": "cold intolerance, weight gain and fatigue",
         PROX_KEYS: "Clinical examination revealed proximal muscle weakness (no side named; rule 2)",
         "ck_u_l ck_elevated": "Creatine Kinase (CK) was elevated at 5124 U/l (no ULN given)",
         "hypothyroidism": "TSH 190 mU/l, Free T4 <5 pmol/l; primary hypothyroidism due to Hashimoto's",
         "statin_exposure other_myotoxic_drug": "She was not on any medication"})

# ---------------------------------------------------------------- antisynthetase
case("art-delanghe2015-pl7", "antisynthetase", doi="10.1186/s13256-015-0571-2",
     citation="De Langhe E, Lenaerts J, Bossuyt X, Westhovens R, Wuyts WA. Mechanic's hands in a woman with undifferentiated connective tissue disease and interstitial lung disease - anti-PL7 positive antisynthetase syndrome: a case report. J Med Case Rep 2015;9:82",
     url="https://link.springer.com/10.1186/s13256-015-0571-2 ; http://www.jmedicalcasereports.com/content/9/1/82",
     dx="Anti-PL7 positive antisynthetase syndrome",
     flat={"sex": "female", "age_at_onset_years": 44, "age_years": 48, "ild": True, "raynaud": True, "symptom_myalgia": True,
           "arthritis": True, "skin_mechanics_hands": True, "ab_pl7": True},
     ev={"sex age_at_onset_years": "44-year-old Caucasian woman presented ... with dyspnea (2008)", "age_years": "after four years of stable disease she presented with ... (44 + 4, rule 1)",
         "ild": "nonspecific interstitial pneumonia", "raynaud": "Raynaud's phenomenon was present for many years", "symptom_myalgia": "myalgia",
         "arthritis": "rapid pulmonary deterioration, myalgia, periorbital edema, arthritis", "skin_mechanics_hands": "cracked appearance of the radial sides of the fingers ... recognized as mechanic's hands",
         "ab_pl7": "anti-threonyl-tRNA synthetase antibodies (anti-PL7)"})

case("art-badshah2019-jo1", "antisynthetase", doi="10.1186/s13256-019-2146-0",
     citation="Badshah A, Haider I, Pervez S, Humayun M. Antisynthetase syndrome presenting as interstitial lung disease: a case report. J Med Case Rep 2019;13:241",
     url="https://docslib.org/doc/1568440/antisynthetase-syndrome-presenting-as-interstitial-lung-disease-a-case-report-aliena-badshah-iqbal-haider-shayan-pervez-and-mohammad-humayun",
     dx="Antisynthetase syndrome (anti-Jo-1)",
     flat={"age_years": 27, "sex": "male", "fever": True, "weight_loss": True, "ild": True, **PROX, "ck_elevated": True, "ldh_elevated": True,
           "ab_jo1": True, "biopsy_performed": True},
     ev={"age_years sex": "27-year-old Pakistani, Asian man", "fever": "low grade fever ... he was pale and febrile", "weight_loss": "gradual weight loss",
         "ild": "HRCT ... ground-glass attenuation ... suggestive of interstitial lung disease", PROX_KEYS: "developed progressive proximal muscle weakness (rule 2)",
         "ck_elevated ldh_elevated": "raised creatinine phosphokinase and lactate dehydrogenase", "ab_jo1": "positive anti-Jo-1 antibodies in high titers",
         "biopsy_performed": "A muscle biopsy was consistent with inflammatory myopathy"})

# ---------------------------------------------------------------- JDM
case("art-sharma2022-jdm", "jdm", doi="10.4103/ijd.ijd_49_22",
     citation="Sharma A, Sharma N, Jain SK, Kushwaha RK. A Rare Case of Juvenile Dermatomyositis in A 2 Year 8 Month Child. Indian J Dermatol 2022;67:432-3",
     url="https://www.e-ijd.org/article.asp?issn=0019-5154;year=2022;volume=67;issue=4;spage=432;epage=433;aulast=Sharma ; (second pass, skin findings) https://www.e-ijd.org/printarticle.asp?issn=0019-5154;year=2022;volume=67;issue=4;spage=432;epage=433;aulast=Sharma",
     dx="Juvenile dermatomyositis",
     flat={"age_years": 2.7, "sex": "female", "age_at_onset_years": 2.7, "symptom_duration_months": 6, "onset_tempo": "subacute",
           "symptom_difficulty_rising_from_chair": True, "fever": True,
           "skin_heliotrope": True, "skin_other_dm_rash": True, "skin_gottron_papules": True},
     ev={"age_years sex": "A 2-year 8-month-old Indian girl", "age_at_onset_years symptom_duration_months onset_tempo": "difficulty in getting up from the sitting position, since 6 months",
         "symptom_difficulty_rising_from_chair": "difficulty in getting up from the sitting position", "fever": "history of intermittent low-grade fever since 3 months",
         "skin_heliotrope": "dusky erythematous macular rash over peri-orbital area (heliotrope rash) (second pass: print version of the page)",
         "skin_other_dm_rash": "upper back and neck (shawl sign) ... and upper chest (v sign)",
         "skin_gottron_papules": "papules and plaques over extensors of MCP, PIP, DIP joints (Gottron papules)"})

case("art-bharani2017-jdm", "jdm", doi="10.4103/2319-7250.202994",
     citation="Bharani AT, Harshey M, Khurana R, Raipurkar S. A rare case of juvenile dermatomyositis and review of literature. Indian J Paediatr Dermatol 2017;18:107-9",
     url="http://www.ijpd.in/article.asp?issn=2319-7250;year=2017;volume=18;issue=2;spage=107;epage=109;aulast=Bharani",
     dx="Juvenile dermatomyositis",
     flat={"age_years": 4, "sex": "female", **PROX},
     ev={"age_years sex": "a 4-year-old female child", PROX_KEYS: "presented with characteristic cutaneous rash and proximal muscle weakness (rash not named: not mapped, rule 4)"})

# ---------------------------------------------------------------- IBM
case("art-jmcr2015-0647z-ibm-p1", "ibm", doi="10.1186/s13256-015-0647-z",
     citation="(authors not in the retrieved excerpt). Misdiagnosis of inclusion body myositis: two case reports and a retrospective chart review. J Med Case Rep 2015",
     url="https://link.springer.com/doi/10.1186/s13256-015-0647-z", patient="Patient 1",
     dx="Sporadic inclusion body myositis",
     flat={"age_years": 58, "sex": "male", "age_at_onset_years": 54, "symptom_duration_months": 48, "onset_tempo": "insidious",
           "symptom_difficulty_climbing_stairs": True},
     ev={"age_years sex": "A 58-year-old man of Indian ethnicity", "age_at_onset_years symptom_duration_months onset_tempo": "Four years prior, he had noted leg weakness (rule 1: 58-4; >6 months -> insidious)",
         "symptom_difficulty_climbing_stairs": "described weakness while climbing and descending stairs"})

case("art-acharya2016-ibm", "ibm", doi="10.7860/JCDR/2016/14902.7111",
     citation="Acharya S, Shukla S, Kitey P, Khan S, Mahajan SN. A Rare Case of Sporadic Inclusion Body Myositis (s-IBM). J Clin Diagn Res 2016;10(1):OD07-OD08",
     url="https://www.jcdr.net/ReadXMLFile.aspx?id=7111",
     dx="Sporadic inclusion body myositis",
     flat={"age_years": 62, "sex": "female", "age_at_onset_years": 55, "symptom_duration_months": 84, "onset_tempo": "insidious",
           "emg_myopathic": True, "biopsy_performed": True},
     ev={"age_years sex": "A 62-year-old female", "age_at_onset_years symptom_duration_months onset_tempo": "gradually progressive quadriparesis of 7 years duration",
         "emg_myopathic": "Electromyography revealed myopathic potential", "biopsy_performed": "muscle biopsy revealed features of inclusion body myositis (items not named)"})

# ---------------------------------------------------------------- hereditary (articles)
case("art-jethwa2013-dysf", "hereditary_myopathy", doi="10.1186/1546-0096-11-19",
     citation="Jethwa H, Jacques TS, Gunny R, Wedderburn LR, Pilkington C, Manzur AY. Limb girdle muscular dystrophy type 2B masquerading as inflammatory myopathy: case report. Pediatr Rheumatol 2013;11:19",
     url="http://PED-RHEUM.biomedcentral.com/article/10.1186/1546-0096-11-19",
     dx="Limb girdle muscular dystrophy type 2B (dysferlinopathy)",
     flat={"age_years": 10, "sex": "male", "ck_u_l": 22297, "ck_elevated": True, "mri_muscle_edema": True, "biopsy_performed": True,
           "biopsy_dystrophic_features": True, "genetic_diagnosis_gene": "DYSF"},
     ev={"age_years sex": "a 10 year old boy", "ck_u_l ck_elevated": "markedly raised creatine kinase values (highest 22,297 U/l)",
         "mri_muscle_edema": "MRI ... oedematous changes mimicking the imaging appearances of inflammatory myositis",
         "biopsy_performed biopsy_dystrophic_features": "Muscle biopsy revealed a severe reduction of dysferlin immunostaining",
         "genetic_diagnosis_gene": "2 compound heterozygous pathogenic mutations in the dysferlin gene"})

case("art-wang2016-miyoshi", "hereditary_myopathy", doi="10.3892/etm.2016.3716",
     citation="Wang M, Guo Y, Fu Y, Jia R, Chen G. Atypical Miyoshi distal myopathy: A case report. Exp Ther Med 2016;12:3068-3072",
     url="https://www.spandidos-publications.com/10.3892/etm.2016.3716",
     dx="Miyoshi myopathy (dysferlinopathy), initially diagnosed as inflammatory myopathy",
     flat={"age_years": 37, "sex": "male", "weakness_asymmetric": True, "weakness_distal_predominant": True,
           "biopsy_performed": True, "biopsy_dystrophic_features": True, "immunosuppression_response": "improved"},
     ev={"age_years sex": "A 37-year-old male patient", "weakness_asymmetric weakness_distal_predominant": "muscular weakness in the left foot (distal, one side)",
         "biopsy_performed biopsy_dystrophic_features": "the pathology, immunohistochemistry and electromyography eventually confirmed the diagnosis of MM",
         "immunosuppression_response": "dexamethasone ... following which the symptoms were alleviated"})

# ---------------------------------------------------------------- other non-immune: colchicine
case("art-jcr2001-colchicine", "other_non_immune", pmid="17039178", doi="10.1097/00124743-200112000-00005",
     citation="Colchicine induced neuromyopathy in a patient with normal renal function. J Clin Rheumatol 2001;7(6):374-6",
     url="https://pubmed.ncbi.nlm.nih.gov/17039178/",
     dx="Colchicine-induced neuromyopathy",
     flat={"age_years": 69, "sex": "male", "onset_tempo": "subacute", "other_myotoxic_drug": True, "symptom_myalgia": False, **PROX,
           "ck_elevated": True, "emg_myopathic": False, "emg_spontaneous_activity": False, "biopsy_performed": False},
     ev={"age_years sex": "A 69-year-old male", "onset_tempo": "subacute onset of painless proximal muscle weakness",
         "other_myotoxic_drug": "on colchicine 0.6 mg twice a day for more than a year", "symptom_myalgia": "painless proximal muscle weakness",
         PROX_KEYS: "painless proximal muscle weakness (no side named; rule 2)", "ck_elevated": "significant elevation of creatine phosphokinase (CPK) levels",
         "emg_myopathic emg_spontaneous_activity": "needle electromyography was unremarkable", "biopsy_performed": "He refused a muscle biopsy"})

case("art-du2021-colchicine", "other_non_immune", doi="10.19723/j.issn.1671-167X.2021.06.030",
     citation="Du YJ, Liu WC, Chen X, Cheng YJ. A case report of colchicine-induced myopathy in a patient with chronic kidney disease. J Peking Univ (Health Sci) 2021;53(6):1188-1190",
     url="http://xuebao.bjmu.edu.cn/EN/abstract/abstract12446.shtml",
     dx="Colchicine-induced myopathy",
     flat={"age_years": 51, "sex": "male", "onset_tempo": "acute", "other_myotoxic_drug": True, "symptom_myalgia": True, "ck_elevated": True},
     ev={"age_years sex": "A 51-year-old male patient", "onset_tempo": "myalgia after intake of 40-50 mg colchicine in total within 20 days (<4 weeks)",
         "other_myotoxic_drug": "40-50 mg colchicine in total within 20 days", "symptom_myalgia": "emerging lower extremities myalgia",
         "ck_elevated": "significantly increased creatine kinase (CK)"})

# ---------------------------------------------------------------- amyopathic DM (anti-MDA5)
case("art-jmc2022-mda5", "adm", doi="10.14740/jmc3965",
     citation="Anti-MDA5 Associated Clinically Amyopathic Dermatomyositis With Rapidly Progressive Interstitial Lung Disease. J Med Cases 2022;13(8):374-379",
     url="https://journalmc.org/index.php/JMC/article/view/3965/0",
     dx="Anti-MDA5 associated clinically amyopathic dermatomyositis with ILD",
     flat={"age_years": 55, "sex": "male", "age_at_onset_years": 55, "symptom_duration_months": 1, "onset_tempo": "subacute", "ab_mda5": True, "ild": True},
     ev={"age_years sex": "a healthy 55-year-old male", "age_at_onset_years symptom_duration_months onset_tempo": "dyspnea, dry cough, and joint pain for 1 month",
         "ab_mda5": "elevated titers of MDA5 antibodies", "ild": "CT of the chest ... interstitial lung involvement"})

case("art-kersey2021-mda5", "adm", doi="10.1007/s11606-021-07131-7",
     citation="Kersey CB, Oshinsky C, Wahl ER, Newman TA. Anti-MDA5 Antibody-Associated Clinically Amyopathic Dermatomyositis: Case Report and Literature Review. J Gen Intern Med 2021",
     url="https://distantreader.org/stacks/cord/cord-0719555-cl2evdyk.txt",
     dx="Anti-MDA5 antibody-associated clinically amyopathic dermatomyositis with rapidly progressive ILD",
     flat={"age_years": 44, "sex": "male", "raynaud": True, "ab_mda5": True, "ild": True},
     ev={"age_years sex": "A 44-year-old man", "raynaud": "longstanding Raynaud's syndrome", "ab_mda5": "anti-MDA5 antibody-associated clinically amyopathic dermatomyositis",
         "ild": "with rapidly progressive ILD"})

case("art-fmed2020-mda5", "adm", doi="10.3389/fmed.2020.610554",
     citation="Anti-MDA5 antibody-positive amyopathic dermatomyositis with rapidly progressive ILD, mediastinal and subcutaneous emphysema: case report. Front Med 2020;7:610554",
     url="https://frontiersin.org/articles/10.3389/fmed.2020.610554/full",
     dx="Anti-MDA5 antibody-positive amyopathic dermatomyositis with RP-ILD",
     flat={"age_years": 37, "sex": "female", "skin_gottron_sign": True, "ab_ro52": True, "ab_mda5": True, "ild": True},
     ev={"age_years sex": "A 37-years-old woman", "skin_gottron_sign": "a rash on both hands, which resembled Gottron's signs",
         "ab_ro52": "anti-Ro52 antibody positive", "ab_mda5": "anti-MDA5 antibody positive", "ild": "HRCT showed pulmonary interstitial inflammatory changes"})

case("art-pmid39790853-mda5", "adm", pmid="39790853",
     citation="Anti-MDA5 associated clinically amyopathic dermatomyositis presenting as acute interstitial pneumonia: case report (PubMed 39790853)",
     url="https://proxy.weglot.com/wg_8714b7f1589aa0f6c92979708057c4a57/en/es/pubmed.ncbi.nlm.nih.gov/39790853",
     dx="Anti-MDA5 associated clinically amyopathic dermatomyositis",
     flat={"age_years": 63, "sex": "male", "ild": True, "ab_mda5": True, "immunosuppression_response": "no_response"},
     ev={"age_years sex": "a 63-year-old previously healthy male", "ild": "developed acute interstitial pneumonia", "ab_mda5": "myositis antibody panel ... diagnosis of anti-MDA5 associated CADM",
         "immunosuppression_response": "cyclophosphamide, IVIG, calcineurin inhibitor ... condition remained critical, succumbed to respiratory failure"})

# ---------------------------------------------------------------- DM
case("art-clinrheum2020-tif1g", "dm", doi="10.1007/s10067-020-05424-6",
     citation="Anti-TIF1-gamma dermatomyositis with red-on-white patches: case report. Clin Rheumatol 2020 (Springer, doi 10.1007/s10067-020-05424-6)",
     url="https://link.springer.com/article/10.1007/s10067-020-05424-6",
     dx="Anti-TIF1-gamma-associated dermatomyositis",
     flat={"age_years": 75, "sex": "male", "age_at_onset_years": 75, "symptom_duration_months": 6, "onset_tempo": "subacute",
           "dysphagia": True, **PROX, "skin_other_dm_rash": True, "skin_heliotrope": True, "ab_tif1g": True, "ck_elevated": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "A 75-year-old Chinese male", "age_at_onset_years symptom_duration_months onset_tempo": "6 months history of progressive, pruritic rashes ... dysphagia ... proximal weakness",
         "dysphagia": "associated with dysphagia, hoarseness", PROX_KEYS: "proximal weakness (no side named; rule 2)",
         "skin_other_dm_rash": "holster sign", "skin_heliotrope": "heliotrope rash", "ab_tif1g": "anti-TIF1-gamma positivity",
         "ck_elevated": "elevated serum creatinine kinase", "immunosuppression_response": "methylprednisolone and IVIG with improvement in his rash and muscle symptoms"})

# ---------------------------------------------------------------- IMNM anti-HMGCR (initially seronegative)
case("art-thomas2020-hmgcr", "imnm_anti_hmgcr", doi="10.1186/s41927-020-00128-5",
     citation="Thomas R, Yeoh SA, Berkeley R, Woods A, Stevens M, Marino S, Radunovic A. Initial seronegative immune-mediated necrotising myopathy with subsequent anti-HMGCR antibody development and response to rituximab: case report. BMC Rheumatol 2020;4:29",
     url="http://link.springer.com/article/10.1186/s41927-020-00128-5 ; https://www.institut-myologie.org/en/2020/09/23/secondary-seropositive-result-in-a-case-of-nam-do-not-hesitate-to-repeat-the-tests/",
     dx="Immune-mediated necrotising myopathy, initially seronegative, later anti-HMGCR positive",
     flat={"age_years": 63, "sex": "female", "age_at_onset_years": 63, "symptom_duration_months": 6, "onset_tempo": "subacute", **PROX,
           "ck_u_l": 6000, "ck_elevated": True, "biopsy_performed": True, "biopsy_necrotic_fibers": True, "biopsy_necrosis_predominant": True,
           "biopsy_regenerating_fibers": True, "biopsy_mhc1_upregulation": True, "ab_hmgcr": True, "statin_exposure": True,
           **panel_neg(), "immunosuppression_response": "improved"},
     ev={"age_years sex": "A 69-year Caucasian woman presented at age 63", "age_at_onset_years symptom_duration_months onset_tempo": "progressive upper and lower limb weakness over a 6-month period",
         PROX_KEYS: "distal and proximal weakness (upper and lower limb, no side named; rule 2)", "ck_u_l ck_elevated": "Initial creatine kinase (CK) was approximately 6000 iU/L",
         "biopsy_performed biopsy_necrotic_fibers biopsy_necrosis_predominant": "single fibre necrosis ... suggestive of necrotising myopathy",
         "biopsy_regenerating_fibers": "and regeneration", "biopsy_mhc1_upregulation": "upregulation of MHC Class I at the periphery of fibres",
         "ab_hmgcr": "anti-HMGCR initially negative; positive at a relapse six years later, confirmed by a different method in a second laboratory (flat case holds the highest-information result)",
         "statin_exposure": "exposed several times to statins (institut-myologie summary of the report)",
         panel_keys(): "myositis antibody panel negative (rule 6: line-blot panel)", "immunosuppression_response": "corticosteroids and methotrexate successful for years; rituximab spectacularly effective"})

# ---------------------------------------------------------------- IMNM seronegative
case("art-diagnostics2021-snimnm", "imnm_seronegative", doi="10.3390/diagnostics11112064",
     citation="Prominent Asymmetric Muscle Weakness and Atrophy in Seronegative Immune-Mediated Necrotizing Myopathy. Diagnostics 2021;11(11):2064",
     url="https://mdpi.com/2075-4418/11/11/2064",
     dx="Seronegative immune-mediated necrotizing myopathy",
     flat={"age_years": 35, "sex": "male", "age_at_onset_years": 23, "symptom_duration_months": 144, "onset_tempo": "insidious",
           "weakness_asymmetric": True, "mri_muscle_edema": True, "ck_elevated": True, "ab_hmgcr": False, "ab_srp": False},
     ev={"age_years sex": "A 35-year-old male", "age_at_onset_years symptom_duration_months onset_tempo": "his first left lower extremity weakness occurred 12 years ago",
         "weakness_asymmetric": "severe asymmetric iliopsoas atrophy ... left lower extremity weakness", "mri_muscle_edema": "MRI of both thigh muscles showed muscle edema",
         "ck_elevated": "Serum creatine kinase levels were elevated", "ab_hmgcr ab_srp": "serologic testings were all negative; authors' title: seronegative IMNM (rule 6a)"})

# ---------------------------------------------------------------- PM
case("art-cureus2023-pm", "pm", doi="10.7759/cureus.43337",
     citation="Polymyositis: A Case Report. Cureus 2023 (PMC10495079)",
     url="https://litmetric.com/detail/37700938/Polymyositis-A-Case-Report",
     dx="Polymyositis",
     flat={"age_years": 61, "sex": "male", "dysphagia": True, "biopsy_performed": True},
     ev={"age_years sex": "a 61-year-old male patient", "dysphagia": "generalized symmetrical weakness, predominantly in the upper extremities, and dysphagia",
         "biopsy_performed": "laboratory studies, autoantibodies, and muscle biopsy were confirmatory (items not named)"})

case("art-khan2016-pm", "pm", pmid="27540467", doi="10.12688/f1000research.7681.1",
     citation="Khan HN, Jilani U, Arora S. Case Report: Elevated CPK, an indicator of idiopathic inflammatory myopathy? F1000Research 2016;5:164",
     url="https://pmc.ncbi.nlm.nih.gov/articles/PMC4965691 ; https://f1000research.com/articles/5-164",
     dx="Polymyositis (idiopathic inflammatory myopathy), initially misdiagnosed as rhabdomyolysis",
     flat={"age_years": 64, "sex": "male", "age_at_onset_years": 64, "symptom_duration_months": 0.5, "onset_tempo": "acute", **PROX,
           "symptom_difficulty_lifting_arms_overhead": True, "symptom_difficulty_rising_from_chair": True, "dysphagia": True, "ck_elevated": True},
     ev={"age_years sex": "A 64-year-old man", "age_at_onset_years symptom_duration_months onset_tempo": "two weeks of progressive proximal muscle weakness",
         PROX_KEYS: "progressive proximal muscle weakness (no side named; rule 2)", "symptom_difficulty_lifting_arms_overhead": "difficulty ... combing his hair",
         "symptom_difficulty_rising_from_chair": "raising himself from a seated position", "dysphagia": "dysphagia to solids over the past week",
         "ck_elevated": "admitted twice ... for an elevated creatine phosphokinase"})

# ---------------------------------------------------------------- juvenile anti-SRP (case series: statements made of all 3 patients)
for _n in (1, 2, 3):
    case(f"art-binns2017-jsrp-p{_n}", "imnm_anti_srp", pmid="29089059", doi="10.1186/s12969-017-0205-x",
         citation="Binns EL, Moraitis E, Maillard S, et al. Effective induction therapy for anti-SRP associated myositis in childhood: A small case series and review of the literature. Pediatr Rheumatol 2017;15:77",
         url="https://pmc.ncbi.nlm.nih.gov/articles/PMC5664807", patient=f"Case {_n} of 3 (only statements made of all three cases are used)",
         dx="Anti-SRP associated myositis in childhood (juvenile)",
         flat={**PROX, "ck_elevated": True, **SKIN_NONE, "ab_srp": True, "biopsy_performed": True, "biopsy_necrotic_fibers": True,
               "biopsy_necrosis_predominant": True, "biopsy_lymphocytic_infiltrate_prominent": False, "immunosuppression_response": "improved"},
         ev={PROX_KEYS: "All 3 cases presented with profound, rapid-onset, proximal myopathy", "ck_elevated": "markedly raised CK", SKIN_KEYS: "but no rash",
             "ab_srp": "anti-SRP associated myositis (title; all three cases)",
             "biopsy_performed biopsy_necrotic_fibers biopsy_necrosis_predominant biopsy_lymphocytic_infiltrate_prominent": "scattered atrophic and necrotic fibres with little or no inflammatory infiltrate",
             "immunosuppression_response": "All 3 patients responded to induction with cyclophosphamide, IVIG and rituximab"})

# ---------------------------------------------------------------- statin toxic
case("art-das2015-statin", "statin_toxic_myopathy", doi="10.4103/0975-2870.153177",
     citation="Das SK, Ghosh S, Sharma A. Late onset rhabdomyolysis developing secondary to atorvastatin therapy in a coronary artery disease patient. Med J DY Patil Univ 2015;8:244-6",
     url="http://mjdrdypu.org/article.asp?issn=0975-2870;year=2015;volume=8;issue=2;spage=244;epage=246;aulast=Das",
     dx="Rhabdomyolysis secondary to atorvastatin therapy",
     flat={"statin_exposure": True, "ck_elevated": True},
     ev={"statin_exposure": "rhabdomyolysis after 5 years of atorvastatin therapy in an elderly patient",
         "ck_elevated": "rhabdomyolysis (keywords: creatine phosphokinase); rule 5a"})

# ---------------------------------------------------------------- anti-HMGCR
case("art-revneurol2023-hmgcr", "imnm_anti_hmgcr", doi="10.33588/rn.7601.2021276",
     citation="Progressive proximal muscle weakness with subacute onset in an elderly patient: a case report. Rev Neurol 2023;76(1)",
     url="https://neurologia.com/76/1/10.33588/rn.7601.2021276",
     dx="Statin-induced necrotizing autoimmune myositis (anti-HMGCR positive)",
     flat={"sex": "female", "onset_tempo": "subacute", "statin_exposure": True, "ck_u_l": 2954, "ck_elevated": True, "ab_hmgcr": True,
           "biopsy_performed": True, "biopsy_necrotic_fibers": True, "biopsy_regenerating_fibers": True,
           "biopsy_perimysial_perivascular_infiltrate": True, "biopsy_mhc1_upregulation": True, "immunosuppression_response": "improved"},
     ev={"sex": "her creatine kinase level was 2,954 U/L ... She was diagnosed with SINAM", "onset_tempo": "title: progressive proximal muscle weakness with subacute onset",
         "statin_exposure": "after taking simvastatin for the last seven years", "ck_u_l ck_elevated": "her creatine kinase level was 2,954 U/L (no ULN given)",
         "ab_hmgcr": "anti-HMGCR antibodies were positive",
         "biopsy_performed biopsy_necrotic_fibers": "numerous necrotic fibers", "biopsy_regenerating_fibers": "some regenerating fibers",
         "biopsy_perimysial_perivascular_infiltrate": "perimysial inflammatory cell infiltrate", "biopsy_mhc1_upregulation": "diffuse overexpression of MHC class I products",
         "immunosuppression_response": "corticosteroids, IVIG and methotrexate: significant improvement in muscle strength, CK normal"})


# ==================================================================================================
# Extension to >= 150 patients (second pass). Same rules (RULES.md, incl. addenda 11a-11d written first).
# Text read through the stored copy of public web pages (the opening of each page: title, header with
# the DOI/PMID where shown, abstract and the start of the case); only the visible part is used.
# ==================================================================================================

# ---------------------------------------------------------------- IMNM anti-HMGCR
case("art-geriatrics2022-hmgcr", "imnm_anti_hmgcr", doi="10.3390/geriatrics7020033",
     citation="An Ounce of Prevention, a Pound of Complications: A Case of Statin-Induced Necrotizing Myopathy in a Frail Elderly Patient. Geriatrics 2022;7(2):33",
     url="https://mdpi.com/2308-3417/7/2/33/xml",
     dx="Anti-HMGCR (statin-associated) necrotizing myopathy",
     flat={"age_years": 81, "sex": "female", "statin_exposure": True, "ck_elevated": True, "ab_hmgcr": True, "biopsy_performed": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "an 81-year-old woman", "statin_exposure": "taking double her prescribed dose of atorvastatin",
         "ck_elevated": "found to have rhabdomyolysis (rule 5a)", "ab_hmgcr biopsy_performed": "Muscle biopsy and serologic work up revealed anti-HMG statin co-reductase myopathy",
         "immunosuppression_response": "treated with steroids IVIG and immunomodulators with marked improvement in her weakness"})

case("art-ejcrim2021-hmgcr", "imnm_anti_hmgcr", doi="10.12890/2021_002672",
     citation="Lorenzo-Villalba N, Andrès E, Meyer A. Chronic onset form of anti-HMG-CoA reductase myopathy. Eur J Case Rep Intern Med 2021;8",
     url="https://www.ejcrim.com/index.php/EJCRIM/article/download/2672/2714?inline=1",
     dx="Anti-HMGCR myopathy, chronic onset form mimicking limb-girdle muscular dystrophy",
     flat={"age_years": 27, "sex": "male", "age_at_onset_years": 24, "symptom_duration_months": 36, "onset_tempo": "insidious",
           "statin_exposure": False, "ab_hmgcr": True, "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 27-year-old male patient", "age_at_onset_years symptom_duration_months onset_tempo": "chronic onset form over 3 years (rule 1: 27-3; > 6 months -> insidious)",
         "statin_exposure": "no history of statin intake", "ab_hmgcr": "anti-HMGCR myopathy",
         "immunosuppression_response": "prednisone, methotrexate, IVIG, then rituximab: muscle strength improved even though CK levels remain elevated"})

# ---------------------------------------------------------------- IMNM anti-SRP
case("art-ejcrim2015-srp", "imnm_anti_srp", doi="10.12890/2015_000311",
     citation="Ferreira DM, Afonso Mendes P, Aragão A, Veríssimo T, de Carvalho A. Anti-signal recognition particle myopathy in a geriatric patient. Eur J Case Rep Intern Med 2015;2",
     url="https://www.ejcrim.com/index.php/EJCRIM/article/download/311/492?inline=1",
     dx="Anti-SRP myopathy in a geriatric patient",
     flat={"weakness_proximal_lower_symmetric": True, "symptom_myalgia": True, "ab_srp": True},
     ev={"weakness_proximal_lower_symmetric": "slow onset of proximal paraparesis (legs only; rule 2, one girdle)", "symptom_myalgia": "proximal paraparesis, myalgia and severe gait impairment",
         "ab_srp": "anti-SRP myopathy (title, abstract)"})

# ---------------------------------------------------------------- PubMed abstracts read in the BioCreative V CDR corpus
# (PubMed title + abstract, keyed by PMID, as stored in a public GitHub copy of the corpus)
CDR = "github:cryptoradon/biomedRelExt@3f113ff1aefd03b7ecf053a6bc33cc6a75532f20:CDR_Data/CDR.Corpus.v010516/"


def cdr(pmid, fname):
    return f"{CDR}{fname} (BioCreative V CDR corpus: PubMed title and abstract of PMID {pmid})"


# statin toxic myopathy
case("art-pmid7604176-pravastatin", "statin_toxic_myopathy", pmid="7604176",
     citation="Pravastatin-associated myopathy. Report of a case. (PubMed PMID 7604176)",
     url=cdr("7604176", "CDR_TrainingSet.PubTator.txt"),
     dx="Acute (inflammatory) myopathy associated with pravastatin, resolved after discontinuation",
     flat={"age_years": 69, "sex": "male", "statin_exposure": True, "onset_tempo": "acute", "statin_withdrawal_outcome": "resolved",
           "hypothyroidism": True, "biopsy_performed": True, "biopsy_perimysial_perivascular_infiltrate": True},
     ev={"age_years sex": "a 69-year-old man", "statin_exposure": "He assumed pravastatin (20 mg/day)", "onset_tempo": "admitted with acute myopathy of the lower limbs",
         "statin_withdrawal_outcome": "acute myopathy ... which resolved in a few days after pravastatin discontinuation (no immunosuppression named)",
         "hypothyroidism": "A previously unknown hypothyroidism, probably due to chronic autoimmune thyroiditis, was evidenced (untreated at the time)",
         "biopsy_performed biopsy_perimysial_perivascular_infiltrate": "Muscle biopsy (left gastrocnemius) revealed a perimysial and endomysial inflammatory infiltrate"})

case("art-pmid24927617-simva-telaprevir", "statin_toxic_myopathy", pmid="24927617",
     citation="Rhabdomyolysis in a hepatitis C virus infected patient treated with telaprevir and simvastatin. (PubMed PMID 24927617)",
     url=cdr("24927617", "CDR_TestSet.PubTator.txt"),
     dx="Rhabdomyolysis from simvastatin toxicity (drug-drug interaction with telaprevir)",
     flat={"age_years": 46, "sex": "male", "statin_exposure": True, "ck_u_l": 62246, "ck_elevated": True},
     ev={"age_years sex": "A 46-year old man", "statin_exposure": "The patient also received simvastatin",
         "ck_u_l ck_elevated": "developed rhabdomyolysis ... creatine kinase peaked at 62,246 IU/L (no ULN given)"})

case("art-pmid25041770-simva-clarithro", "statin_toxic_myopathy", pmid="25041770",
     citation="Rhabdomyolysis in association with simvastatin and dosage increment in clarithromycin. (PubMed PMID 25041770)",
     url=cdr("25041770", "CDR_TestSet.PubTator.txt"),
     dx="Statin-induced rhabdomyolysis (simvastatin with clarithromycin)",
     flat={"statin_exposure": True, "ck_elevated": True},
     ev={"statin_exposure": "rhabdomyolysis in association with simvastatin (title)", "ck_elevated": "rhabdomyolysis only occurred after an increase in the dose of clarithromycin (rule 5a)"})

case("art-pmid17615423-simva-amio", "statin_toxic_myopathy", pmid="17615423",
     citation="Severe rhabdomyolysis and acute renal failure secondary to concomitant use of simvastatin, amiodarone, and atazanavir. (PubMed PMID 17615423)",
     url=cdr("17615423", "CDR_TrainingSet.PubTator.txt"),
     dx="Severe rhabdomyolysis from simvastatin interaction (amiodarone, atazanavir)",
     flat={"age_years": 72, "sex": "male", "symptom_myalgia": True, "symptom_fatigue": True, "onset_tempo": "acute", "symptom_duration_months": 0.1,
           "statin_exposure": True, "ck_u_l": 66680, "ck_elevated": True},
     ev={"age_years sex": "A 72-year-old white man", "symptom_myalgia": "presented with generalized pain", "symptom_fatigue": "generalized pain, fatigue, and dark orange urine",
         "onset_tempo symptom_duration_months": "for 3 days (< 4 weeks -> acute)", "statin_exposure": "taking 80 mg simvastatin at bedtime (initiated 27 days earlier)",
         "ck_u_l ck_elevated": "Laboratory evaluation revealed 66,680 U/L creatine kinase (no ULN given)"})

case("art-pmid17344566-simva-compartment", "statin_toxic_myopathy", pmid="17344566",
     citation="Simvastatin-induced bilateral leg compartment syndrome and myonecrosis associated with hypothyroidism. (PubMed PMID 17344566)",
     url=cdr("17344566", "CDR_TrainingSet.PubTator.txt"),
     dx="Simvastatin-induced myonecrosis with bilateral leg compartment syndrome; recovery after simvastatin withdrawal",
     flat={"age_years": 54, "sex": "male", "statin_exposure": True},
     ev={"age_years sex": "A 54-year-old hypothyroid male (on thyroxine: hypothyroidism treated, so not mapped)", "statin_exposure": "taking thyroxine and simvastatin"})

# other non-immune (drug / toxic)
case("art-pmid12739036-chloroquine", "other_non_immune", pmid="12739036",
     citation="Differential diagnosis of high serum creatine kinase levels in systemic lupus erythematosus. (PubMed PMID 12739036)",
     url=cdr("12739036", "CDR_TrainingSet.PubTator.txt"),
     dx="Chloroquine-induced myopathy in SLE (myositis suspected first)",
     flat={"age_years": 57, "sex": "female", "other_myotoxic_drug": True, "ck_u_l": 1700, "ck_elevated": True,
           "immunosuppression_response": "no_response", "biopsy_performed": True},
     ev={"age_years sex": "a 57-year-old woman with severe chloroquine-induced myopathy", "other_myotoxic_drug": "Additional therapy with chloroquine (CQ) was started",
         "ck_u_l ck_elevated": "markedly elevated CK levels of 1,700 U/l", "immunosuppression_response": "Myositis was suspected ... treated with steroids. The CK increase persisted ... progressive muscular weakness",
         "biopsy_performed": "muscle biopsy of the deltoid ... revealed chloroquine-induced myopathy"})

case("art-pmid6674249-eaca", "other_non_immune", pmid="6674249",
     citation="Why may epsilon-aminocaproic acid (EACA) induce myopathy in man? Report of a case and literature review. (PubMed PMID 6674249)",
     url=cdr("6674249", "CDR_TrainingSet.PubTator.txt"),
     dx="Necrotizing myopathy due to epsilon-aminocaproic acid",
     flat={"age_years": 72, "other_myotoxic_drug": True, "biopsy_performed": True, "biopsy_necrosis_predominant": True},
     ev={"age_years": "a 72 year-old patient with subarachnoid haemorrhage", "other_myotoxic_drug": "short epsilon-aminocaproic acid (EACA) treatment",
         "biopsy_performed biopsy_necrosis_predominant": "A case of necrotizing myopathy due to ... EACA (rule 8: 'necrotizing myopathy')"})

case("art-pmid24658375-atra", "other_non_immune", pmid="24658375",
     citation="All-trans retinoic acid-induced inflammatory myositis in a patient with acute promyelocytic leukemia. (PubMed PMID 24658375)",
     url=cdr("24658375", "CDR_TestSet.PubTator.txt"),
     dx="All-trans retinoic acid (drug)-induced myositis in a boy with acute promyelocytic leukaemia",
     flat={"age_years": 15, "age_at_onset_years": 15, "sex": "male", "other_myotoxic_drug": True, "cancer": True},
     ev={"age_years age_at_onset_years sex": "a 15-year-old boy with APL", "other_myotoxic_drug": "ATRA-induced myositis (named drug)",
         "cancer": "acute promyelocytic leukemia under treatment"})

case("art-pmid19392810-heroin", "other_non_immune", pmid="19392810",
     citation="Rhabdomyolysis and brain ischemic stroke in a heroin-dependent male under methadone maintenance therapy. (PubMed PMID 19392810)",
     url=cdr("19392810", "CDR_TestSet.PubTator.txt"),
     dx="Heroin/methadone-related (toxic) rhabdomyolysis",
     flat={"age_years": 33, "sex": "male", "other_myotoxic_drug": True, "ck_elevated": True},
     ev={"age_years sex": "A 33-year-old man", "other_myotoxic_drug": "rhabdomyolysis ... after intravenous heroin; 150 mg methadone daily",
         "ck_elevated": "In the ICU, we found rhabdomyolysis (rule 5a)"})

case("art-pmid3782049-molindone", "other_non_immune", pmid="3782049",
     citation="A case of massive rhabdomyolysis following molindone administration. (PubMed PMID 3782049)",
     url=cdr("3782049", "CDR_TrainingSet.PubTator.txt"),
     dx="Massive rhabdomyolysis following molindone (drug-induced)",
     flat={"other_myotoxic_drug": True, "ck_elevated": True},
     ev={"other_myotoxic_drug": "following molindone administration", "ck_elevated": "massive rhabdomyolysis (rule 5a)"})

# ---------------------------------------------------------------- IBM
case("art-thieme2021-ibm", "ibm", doi="10.1055/s-0041-1739230",
     citation="A Rare Case of Sporadic Inclusion Body Myositis with Atypical Presentation (Thieme, DOI 10.1055/s-0041-1739230)",
     url="https://thieme-connect.de/products/ejournals/html/10.1055/s-0041-1739230",
     dx="Sporadic inclusion body myositis (atypical presentation), diagnosed by muscle biopsy",
     flat={"age_years": 52, "sex": "male", "biopsy_performed": True},
     ev={"age_years sex": "a case of 52 years old male", "biopsy_performed": "diagnosed with sporadic IBM by muscle biopsy (items named only as keywords; not mapped)"})

case("art-jmcr2015-0647z-ibm-p2", "ibm", doi="10.1186/s13256-015-0647-z",
     citation="(authors not in the retrieved excerpt). Misdiagnosis of inclusion body myositis: two case reports and a retrospective chart review. J Med Case Rep 2015",
     url="http://doi.org/10.1186/s13256-015-0647-z", patient="Patient 2 (the Hispanic man; only the abstract's statements about both cases are used)",
     dx="Sporadic inclusion body myositis, diagnosed years after symptom onset",
     flat={"sex": "male", "onset_tempo": "insidious"},
     ev={"sex": "two cases, both men, one of Indian ethnicity and the other of Hispanic ethnicity",
         "onset_tempo": "diagnosed with sporadic inclusion body myositis years after symptom onset (> 6 months -> insidious)"})

case("art-pmid36407864-hmgcr", "imnm_anti_hmgcr", pmid="36407864", doi="10.14740/jmc4010",
     citation="Statin-Induced Necrotizing Autoimmune Myositis. J Med Cases 2022;13(10):513-516",
     url="https://pubmed.ncbi.nlm.nih.gov/36407864/",
     dx="Statin-induced necrotizing autoimmune myositis (anti-HMGCR positive)",
     flat={"age_years": 71, "sex": "female", "statin_exposure": True, "symptom_myalgia": True, **PROX, "ck_u_l": 4166, "ck_uln_u_l": 180,
           "mri_muscle_edema": True, "ab_hmgcr": True, "biopsy_performed": True, "biopsy_necrotic_fibers": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 71-year-old female", "statin_exposure": "taking atorvastatin for a year",
         "symptom_myalgia": "presented ... with proximal muscle aches and weakness", PROX_KEYS: "proximal muscle aches and weakness (no limb or side named; rule 2)",
         "ck_u_l ck_uln_u_l": "elevated creatinine kinase of 4,166 U/L (reference range, 20 - 180)", "mri_muscle_edema": "MRI ... edema in bilateral lower extremity proximal muscles",
         "ab_hmgcr": "Serology revealed a high anti-HMGCR antibody", "biopsy_performed biopsy_necrotic_fibers": "muscle biopsy of the right vastus lateralis revealed necrotic muscle fibers",
         "immunosuppression_response": "IV methylprednisolone, mycophenolate mofetil, and tacrolimus. Her symptoms gradually improved"})

# ---------------------------------------------------------------- IMNM seronegative
case("art-pmid29189558-pnm-nec", "imnm_seronegative", pmid="29189558",
     citation="Paraneoplastic Necrotizing Myopathy Associated With Neuroendocrine Carcinoma (letter). PMID 29189558",
     url="https://insights.ovid.com/pubmed?PMID=29189558",
     dx="Paraneoplastic necrotizing myopathy associated with neuroendocrine carcinoma (myositis antibody profile negative; rule 11f)",
     flat={"age_years": 77, "sex": "male", "age_at_onset_years": 77, "symptom_duration_months": 1, "onset_tempo": "subacute", **PROX,
           "ck_elevated": False, **panel_neg(), "emg_myopathic": True, "emg_spontaneous_activity": False,
           "biopsy_performed": True, "biopsy_necrotic_fibers": True, "biopsy_necrosis_predominant": True,
           "biopsy_lymphocytic_infiltrate_prominent": False, "biopsy_mhc1_upregulation": False, "cancer": True},
     ev={"age_years sex": "The patient is a 77-year-old man", "age_at_onset_years symptom_duration_months onset_tempo": "difficulty in chewing, and generalized weakness for 1 month (4 weeks - 6 months -> subacute)",
         PROX_KEYS: "severe weakness in both upper and lower limbs (MRC grade 1-2/5 in proximal and 2-3/5 in distal groups); no asymmetry stated",
         "ck_elevated": "Investigations that included ... creatine kinase ... were unremarkable",
         panel_keys(): "myositis antibody profile ... unremarkable (rule 6 panel)",
         "emg_myopathic emg_spontaneous_activity": "Electromyography showed nonirritative, severe generalized myopathy",
         "biopsy_performed biopsy_necrotic_fibers biopsy_necrosis_predominant biopsy_lymphocytic_infiltrate_prominent": "Muscle biopsy showed mild type 2 muscle atrophy and necrotic fibers without lymphocytic infiltration",
         "biopsy_mhc1_upregulation": "Immunohistochemistry staining showed negative major histocompatibility complex class I staining",
         "cancer": "neuroendocrine carcinoma (title; CT lymphadenopathies, CT-guided biopsy)"})

# not IIM (from the CDR corpus)
case("art-pmid19581773-ocular-mg", "not_iim", pmid="19581773",
     citation="Development of ocular myasthenia during pegylated interferon and ribavirin treatment for chronic hepatitis C. (PubMed PMID 19581773)",
     url=cdr("19581773", "CDR_TrainingSet.PubTator.txt"),
     dx="Ocular myasthenia (neuromuscular-junction disorder) during pegylated interferon/ribavirin",
     flat={"age_years": 63, "sex": "male", "onset_tempo": "acute", "weakness_ocular_or_facial": True, "hypothyroidism": False},
     ev={"age_years sex": "A 63-year-old male", "onset_tempo": "experienced sudden diplopia", "weakness_ocular_or_facial": "sudden diplopia ... ptosis on the right upper lid and restricted right eye movement",
         "hypothyroidism": "the results of thyroid function tests were normal"})

# hereditary (from the CDR corpus)
case("art-pmid12699527-myotonia-congenita", "hereditary_myopathy", pmid="12699527",
     citation="Anaesthetic complications associated with myotonia congenita: case study and comparison with other myotonic disorders. (PubMed PMID 12699527)",
     url=cdr("12699527", "CDR_TrainingSet.PubTator.txt"),
     dx="Myotonia congenita (skeletal muscle chloride channel disorder), confirmed genetically",
     flat={"age_years": 32, "sex": "female", "genetic_diagnosis_gene": "CLCN1"},
     ev={"age_years sex": "a previously healthy 32-year-old woman",
         "genetic_diagnosis_gene": "The diagnosis MC was confirmed genetically; MC is caused by a defect in the skeletal muscle chloride channel (ClC-1, whose only gene is CLCN1)"})

# ---------------------------------------------------------------- antisynthetase
case("art-liu2025-pl7-child", "antisynthetase", pmid="40098963", doi="10.3389/fimmu.2025.1525432",
     citation="Liu J, Nie N, Zhang R, Wang D, Lin Y, Chang H. Anti-synthetase syndrome with anti-PL-7 antibody positive in a child: a case report and literature review. Front Immunol 2025;16:1525432 (preprint: Research Square, doi 10.21203/rs.3.rs-4680891/v1)",
     url="https://sciety.org/articles/activity/10.21203/rs.3.rs-4680891/v1 (abstract) ; https://public-pages-files-2025.frontiersin.org/journals/immunology/articles/10.3389/fimmu.2025.1525432/xml (title, DOI) ; PMID from the reference list of https://www.ijisrt.com/antisynthetase-syndrome-pl7-positive-presenting-with-necrotizing-inflammatory-myositis-and-rightsided-pneumonia-a-diagnostic-challenge",
     dx="Anti-PL-7 positive anti-synthetase syndrome in a 12-year-old girl (juvenile)",
     flat={"age_years": 12, "age_at_onset_years": 12, "sex": "female", "fever": True, "symptom_myalgia": True, "skin_gottron_papules": True,
           "ck_elevated": True, "ild": True, "mri_muscle_edema": True, "emg_myopathic": True, "biopsy_performed": True, "ab_pl7": True,
           "immunosuppression_response": "improved"},
     ev={"age_years age_at_onset_years sex": "a 12-year-old Chinese girl", "fever": "recurrent fever", "symptom_myalgia": "recurrent fever, myalgia, and Gottron's papules",
         "skin_gottron_papules": "Gottron's papules", "ck_elevated": "Serum creatine kinase was markedly elevated", "ild": "chest CT revealed interstitial changes",
         "mri_muscle_edema": "MRI of the left thigh indicated soft tissue swelling and interstitial fluid accumulation", "emg_myopathic": "Electromyography demonstrated myogenic injury",
         "biopsy_performed": "left thigh muscle biopsy: local edema, focal lymphocyte infiltration (unqualified; not mapped), dilated interstitial small vessels",
         "ab_pl7": "myositis antibody spectrum test was positive for anti-PL-7 antibodies", "immunosuppression_response": "glucocorticoids and methotrexate led to significant improvement"})

case("art-cureus2025-pl7", "antisynthetase", doi="10.7759/cureus.93503",
     citation="Arrazola-Mendoza KS, González-Chávez HE, De la Peña-Camacho F, Reyes-Ferreira E, Gomez-Alvarez U. Antisynthetase Syndrome With Classic Features and Anti-PL-7 Positivity: A Rare Immunologic Variant. Cureus 2025",
     url="https://tomesphere.com/paper/PMC12571203.md",
     dx="Antisynthetase syndrome, anti-PL-7 positive",
     flat={"age_years": 71, "sex": "female", **PROX, "skin_heliotrope": True, "skin_mechanics_hands": True, "ck_elevated": True, "ild": True, "ab_pl7": True},
     ev={"age_years sex": "a 71-year-old woman", PROX_KEYS: "developed progressive proximal muscle weakness (no side named; rule 2)",
         "skin_heliotrope": "Physical examination revealed a heliotrope rash", "skin_mechanics_hands": "and mechanic's hands",
         "ck_elevated": "markedly elevated creatine kinase levels", "ild": "chest CT findings were consistent with interstitial lung disease", "ab_pl7": "Serological testing confirmed the presence of anti-PL-7 antibodies"})

case("art-bmcpulm2024-pl12-child", "antisynthetase", doi="10.1186/s12890-024-02984-0",
     citation="Anti-synthetase syndrome in a child with pneumomediastinum: a case report and literature review. BMC Pulm Med",
     url="https://bmcpulmmed.biomedcentral.com/articles/10.1186/s12890-024-02984-0",
     dx="Anti-synthetase syndrome with rapidly progressive ILD and pneumomediastinum in a 7-year-old boy",
     flat={"age_years": 7, "age_at_onset_years": 7, "sex": "male", "fever": True, "ild": True, "ab_pl12": True, "ab_jo1": True, "ab_ro52": True,
           "immunosuppression_response": "improved"},
     ev={"age_years age_at_onset_years sex": "a 7-year-old boy finally diagnosed with ASS", "fever": "intermittent fever persisting for 12 days",
         "ild": "reticular nodular shadowing in both lungs ... consolidation and interstitial lesions; ASS with RPILD",
         "ab_pl12 ab_jo1 ab_ro52": "Positive ... anti-PL-12 antibody IgG, anti-Jo-1 antibody IgG, and anti-RO-52 antibody IgG",
         "immunosuppression_response": "Corticosteroids pulse therapy ... follow-up revealed a significant improvement in consolidation and interstitial lesions"})

case("art-beyondrheum2025-pl7", "antisynthetase", doi="10.53238/br_202512_585",
     citation="Anti-PL-7 antisynthetase syndrome with onset of diffuse interstitial lung disease and myopathy: a case report. Beyond Rheumatology 2025;7(2):e585",
     url="https://www.beyond-rheumatology.org/2025/12/18/anti-pl-7-antisynthetase-syndrome-with-onset-of-diffuse-interstitial-lung-disease-and-myopathy-a-case-report",
     dx="Antisynthetase syndrome with anti-PL-7 positivity, ILD and myopathy",
     flat={"age_years": 41, "sex": "male", **PROX, "ab_pl7": True, "ild": True},
     ev={"age_years sex": "a 41-year-old man", PROX_KEYS: "presented with proximal muscle weakness and elevated muscle enzymes (no side named; rule 2)",
         "ab_pl7": "anti-PL-7 positivity, confirmed through an extended myopathy antibody panel", "ild": "associated with interstitial lung disease (ILD)"})

case("art-ijrms2025-pl7", "antisynthetase", doi="10.18203/2320-6012.ijrms20253634",
     citation="Kullar MK, Randhawa PS, Nirmal J, Singh A, Thukral H. The unseen threat: anti-PL7 anti-synthetase mediated interstitial lung disease. IJRMS (msjonline.org)",
     url="https://www.msjonline.org/index.php/ijrms/article/view/15869",
     dx="Anti-synthetase syndrome (anti-PL7) with ILD, no evidence of myositis (Connors criteria)",
     flat={"age_years": 74, "sex": "female", "raynaud": True, "skin_mechanics_hands": True, "skin_ulceration": True, "ild": True, "ab_pl7": True},
     ev={"age_years sex": "a 74-year-old woman", "raynaud": "Examination revealed Raynaud's phenomenon", "skin_mechanics_hands": "hyperkeratotic skin changes on the hands (mechanic's hands)",
         "skin_ulceration": "and digital ulceration", "ild": "bilateral ground-glass opacities consistent with ILD", "ab_pl7": "positive ANA ... and anti-PL7 antibody"})

# Fischer 2009: nine patients; only statements made of all nine are used (rule 1a)
for _n in range(1, 10):
    case(f"art-fischer2009-ass-p{_n}", "antisynthetase", pmid="19497723", doi="10.1016/j.rmed.2009.05.001",
         citation="Fischer A, Swigris JJ, du Bois R, Lynch D, Downey GP, Cosgrove GP, Frankel SK, Fernandez-Perez E, Gillis J, Brown KK. Anti-synthetase syndrome in ANA and anti-Jo-1 negative patients presenting with idiopathic interstitial pneumonia. Respir Med 2009;103(11):1719-1724",
         url="https://pmc.ncbi.nlm.nih.gov/articles/PMC2857337", patient=f"Patient {_n} of 9 (only statements made of all nine are used)",
         dx="Anti-synthetase syndrome (anti-PL-7 or anti-PL-12; anti-Jo-1 negative) presenting with 'idiopathic' interstitial pneumonia",
         flat={"ild": True, "ab_jo1": False},
         ev={"ild": "All nine presented with dyspnea as the initial symptom and with ILD as the first manifestation",
             "ab_jo1": "patients ... with negative anti-JO-1 antibodies (inclusion criterion; title: anti-JO-1 negative patients)"})

# ---------------------------------------------------------------- DM (adult)
case("art-bmccancer2016-tif1g", "dm", doi="10.1186/s12885-016-2715-1",
     citation="Dermatomyositis with anti-TIF-1γ antibodies as a presenting symptom of underlying triple-negative breast cancer: a case report. BMC Cancer",
     url="https://0-bmccancer-biomedcentral-com.brum.beds.ac.uk/articles/10.1186/s12885-016-2715-1 ; https://link.springer.com/10.1186/s12885-016-2715-1",
     dx="Anti-TIF-1γ positive dermatomyositis with concurrent triple-negative breast cancer",
     flat={"age_years": 43, "sex": "female", "symptom_myalgia": True, "ab_tif1g": True, "cancer": True, "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 43-year-old premenopausal woman", "symptom_myalgia": "the most prominent being a typical skin rash and muscle pain (rash not named: not mapped)",
         "ab_tif1g": "diagnosed with anti-TIF-1γ positive dermatomyositis", "cancer": "concurrent triple-negative breast cancer (cT1c N3c M0)",
         "immunosuppression_response": "Immediate intravenous corticosteroid therapy relieved the symptoms"})

case("art-merry2020-tif1g-sarcoma", "dm", doi="10.1186/s13569-020-00140-w",
     citation="Merry E, Smrke A, Halai K, Patel G, Thway K, Jones RL, Benson C. Paraneoplastic dermatomyositis associated with metastatic leiomyosarcoma of unknown primary. Clin Sarcoma Res 2020;10:15",
     url="https://vdocument.in/open-access-paaa-atomy-aat-aa-yaca-no-pray-merry-et-al-clin-sarcoma-res-pa.html",
     dx="Paraneoplastic dermatomyositis (anti-TIF1γ positive) with metastatic leiomyosarcoma",
     flat={"age_years": 43, "sex": "female", "onset_tempo": "acute", "skin_other_dm_rash": True, **PROX, "ab_tif1g": True, "cancer": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "A 43-year-old female", "onset_tempo": "She presented acutely 2 months later with new onset rash ... and proximal muscle weakness",
         "skin_other_dm_rash": "new onset rash in a shawl-like distribution", PROX_KEYS: "symmetrical proximal muscle weakness",
         "ab_tif1g": "positive anti-transcription intermediary factor-1 gamma antibody result", "cancer": "metastatic leiomyosarcoma ... disease progression",
         "immunosuppression_response": "once the dermatomyositis was controlled on steroid therapy"})

case("art-cureus2025-tif1g-lung", "dm", doi="10.7759/cureus.85930",
     citation="Yasir M, Abdelgabar A, Elsayed M, Hasan MN, Osman S. A Case of Anti-TIF1γ Antibody-Positive Dermatomyositis Associated With Malignancy. Cureus 2025",
     url="https://tomesphere.com/paper/PMC12256074.md",
     dx="Anti-TIF1γ-positive dermatomyositis with concurrent lung cancer",
     flat={"age_years": 67, "sex": "male", "age_at_onset_years": 67, "symptom_duration_months": 1.5, "onset_tempo": "subacute", **PROX,
           "ab_tif1g": True, "cancer": True},
     ev={"age_years sex": "a 67-year-old man", "age_at_onset_years symptom_duration_months onset_tempo": "a six-week history of proximal myopathy ... and a skin rash",
         PROX_KEYS: "proximal myopathy in the upper and lower limbs (no side named; rule 2)", "ab_tif1g": "diagnosed with anti-TIF1γ-positive DM",
         "cancer": "and concurrent lung cancer"})

case("art-klinitsist2025-mi2", "dm", doi="10.17650/1818-8338-2025-19-1-K733",
     citation="Clinical case and features of progression of dermatomyositis with anti-Mi2 antibodies. The Clinician (Klinitsist) 2025;19(1)",
     url="https://klinitsist.abvpress.ru/Klin/article/view/650/0?locale=en_US",
     dx="Dermatomyositis with anti-Mi2 antibodies (benign course, drug-free remission)",
     flat={"skin_heliotrope": True, "skin_gottron_papules": True, "skin_ulceration": True, "symptom_myalgia": True, "arthritis": True,
           "weight_loss": True, "fever": True, "ldh_elevated": True, "ab_mi2": True, "immunosuppression_response": "improved"},
     ev={"skin_heliotrope": "periorbital edema with heliotropic rash", "skin_gottron_papules": "Gottron papules", "skin_ulceration": "digital ulcers",
         "symptom_myalgia": "muscles (myalgia)", "arthritis": "joints (polyarthritis)", "weight_loss": "constitutional symptoms (weight loss, general weakness, subfebrile temperature)",
         "fever": "subfebrile temperature", "ldh_elevated": "Laboratory examination showed increased erythrocyte sedimentation rate of 40 mm/h and lactate dehydrogenase level of 672 U/L",
         "ab_mi2": "anti-Mi2 antibodies were detected by MSAs panel",
         "immunosuppression_response": "skin symptoms and muscle damage completely regressed after 21 months of methylprednisolone and methotrexate"})

# ---------------------------------------------------------------- JDM
case("art-pedrheum2021-jdm-mda5", "jdm", doi="10.1186/s12969-021-00595-1",
     citation="Adolescent-onset anti-MDA5 antibody-positive juvenile dermatomyositis with rapidly progressive interstitial lung disease and spontaneous pneumomediastinum: a case report and literature review. Pediatr Rheumatol",
     url="https://ped-rheum.biomedcentral.com/articles/10.1186/s12969-021-00595-1 ; https://link.springer.com/10.1186/s12969-021-00595-1",
     dx="Anti-MDA5 antibody-positive juvenile dermatomyositis with RP-ILD and pneumomediastinum",
     flat={"age_years": 16, "age_at_onset_years": 16, "sex": "female", "fever": True, "arthritis": True, "skin_ulceration": True,
           "skin_gottron_papules": True, "symptom_myalgia": True, "ab_mda5": True, "mri_muscle_edema": True, "ild": True,
           "immunosuppression_response": "improved"},
     ev={"age_years age_at_onset_years sex": "A 16-year-old Chinese female ... finger swelling for 3 weeks", "fever": "presented with fever and cough for 1 day",
         "arthritis": "arthritis of fingers and wrists", "skin_ulceration": "ulcers and palmar papules over fingers",
         "skin_gottron_papules": "diagnosis of dermatomyositis was made 1 month later with the onset of malar rash, Gottron's papules, calcinosis and myalgia",
         "symptom_myalgia": "onset of ... myalgia", "ab_mda5": "presence of anti-MDA5 antibody", "mri_muscle_edema": "evidence of inflammatory myopathy on magnetic resonance imaging (rule 7: inflammation on MRI)",
         "ild": "she already had interstitial lung disease at first presentation; RP-ILD", "immunosuppression_response": "good outcome after aggressive immunosuppressive therapy"})

case("art-turkjped2021-jdm", "jdm", doi="10.24953/turkjped.2021.05.018",
     citation="Yeşilbaş O, Yıldız M, Yozgat CY, Tahaoğlu I, Yazan H, Çakır E, Adrovic A, Şahin S, Barut K, Kasapçopur Ö. A fatal interstitial lung disease in an anti-MDA5 antibody negative patient with juvenile dermatomyositis. Turk J Pediatr 2021;63(5)",
     url="http://www.turkishjournalpediatrics.org/abstract.php?lang=en&id=2363",
     dx="Juvenile dermatomyositis (anti-MDA5 negative) with fatal interstitial lung disease",
     flat={"age_years": 6, "sex": "male", "ab_mda5": False, "ild": True},
     ev={"age_years sex": "A six-year-old male patient ... 1.5 months after the diagnosis of juvenile dermatomyositis",
         "ab_mda5": "juvenile dermatomyositis without anti-MDA5 antibody positivity", "ild": "ground-glass opacity ... juvenile dermatomyositis associated interstitial lung disease (title: fatal ILD)"})

# ---------------------------------------------------------------- juvenile myositis other than JDM
case("art-pmid20022787-juv-scleromyositis", "juvenile_myositis_other", pmid="20022787", doi="10.1016/j.jbspin.2009.11.011",
     citation="Childhood scleromyositis with a negative PM/Scl antibody. Joint Bone Spine 2010;77(1):73-5",
     url="http://www.jrheum.org/lookup/external-ref?access_num=20022787&link_type=MED&atom=%2Fjrheum%2F43%2F9%2F1768.atom (PubMed record)",
     dx="Childhood scleromyositis (overlap of myositis and systemic scleroderma), anti-PM/Scl negative (rules 11c, 11h)",
     flat={"age_years": 10, "sex": "female", "ab_pmscl": False},
     ev={"age_years sex": "the case of a 10-year-old African American female with scleromyositis",
         "ab_pmscl": "a negative anti-PM/Scl antibody"})

# ---------------------------------------------------------------- non-specific / overlap myositis (rule 11b)
case("art-pmid21048389-sjogren-myositis", "nonspecific_myositis", pmid="21048389", doi="10.2177/jsci.33.277",
     citation="[A case of primary Sjögren's syndrome complicated by chronic progressive myositis]. Nihon Rinsho Meneki Gakkai Kaishi 2010;33(5):277-82 (English abstract)",
     url="https://www.pubmed.gov/21048389/",
     dx="Myositis in primary Sjögren's syndrome (overlap myositis, no myositis-specific antibody reported; rule 11b)",
     flat={"age_years": 64, "sex": "female", "age_at_onset_years": 61, "symptom_duration_months": 36, "onset_tempo": "insidious",
           "symptom_difficulty_climbing_stairs": True, "weakness_proximal_lower_symmetric": True, "biopsy_performed": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "The patient was a 64-year-old woman", "age_at_onset_years symptom_duration_months onset_tempo": "Three years previously, she experienced difficulty in walking up a slope ... which insidiously progressed (rule 1: 64-3)",
         "symptom_difficulty_climbing_stairs": "insidiously progressed to an inability to go up and down stairs",
         "weakness_proximal_lower_symmetric": "reduced muscle strength in proximal muscles like the thigh muscles (legs only; rule 2, one girdle)",
         "biopsy_performed": "biopsy of the quadriceps femoris ... myositis: unequal fibre size, nuclear centralization, inflammatory cell infiltration (invasion of non-necrotic fibres not stated; not mapped)",
         "immunosuppression_response": "She recovered well with steroid medication"})

case("art-cureus2018-sjogren-myopathy", "nonspecific_myositis", pmid="30533328", doi="10.7759/cureus.3393",
     citation="Khosa S, Hovsepian DA, Khosa GS, Catherine Y, Trikamji B, Mishra SK. A Case of Sjögren's Syndrome Mimicking Inflammatory Myopathy. Cureus 2018;10(10):e3393",
     url="https://pmc.ncbi.nlm.nih.gov/articles/PMC6279011",
     dx="Sjögren's syndrome presenting as (inflammatory) myopathy and sensorimotor neuropathy (overlap myositis with Sjögren's; rule 11b)",
     flat={"age_years": 34, "sex": "male", "ck_elevated": True, "emg_myopathic": True, "emg_spontaneous_activity": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 34-year-old male who presented with Sjögren's syndrome presenting as myopathy", "ck_elevated": "His creatinine kinase levels were elevated",
         "emg_myopathic emg_spontaneous_activity": "Electromyography showed evidence of irritable myopathy (rule 7)",
         "immunosuppression_response": "The patient favorably responded to high-dose steroids"})

case("art-ejcrim2015-pm-ssc-overlap", "nonspecific_myositis", doi="10.12890/2015_000346",
     citation="Cochicho J, Madaleno J, Louro E, Simão A, Carvalho A. Polymyositis and the spectrum of scleroderma disorders. Eur J Case Rep Intern Med 2015;2 (PMC6346825)",
     url="https://www.ejcrim.com/index.php/EJCRIM/article/download/346/506?inline=1 ; https://pmc.ncbi.nlm.nih.gov/articles/PMC6346825",
     dx="Overlap of polymyositis and systemic sclerosis sine scleroderma, anti-PM-Scl positive (overlap myositis without a myositis-specific antibody; rule 11b)",
     flat={"age_years": 59, "sex": "male", "ild": True, **PROX, "raynaud": True, "dysphagia": True, "ck_elevated": True, "ab_pmscl": True,
           "biopsy_performed": True, "biopsy_necrotic_fibers": True, "biopsy_regenerating_fibers": True, "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 59-year-old man", "ild": "with pulmonary fibrosis", PROX_KEYS: "gradually developed proximal muscle weakness (no side named; rule 2)",
         "raynaud": "Raynaud phenomenon", "dysphagia": "and dysphagia", "ck_elevated": "Besides creatine kinase (CK) elevation",
         "ab_pmscl": "positive anti-PM-Scl and anti-SSA antibodies (anti-SSA not mapped to Ro52, rule 6)",
         "biopsy_performed biopsy_necrotic_fibers biopsy_regenerating_fibers": "muscle biopsy revealed necrosis, regeneration of muscle fibers, and inflammatory infiltrate (unqualified; not mapped)",
         "immunosuppression_response": "Prednisolone was started, with great improvement"})

case("art-pmid29616537-pm-ssc-overlap", "nonspecific_myositis", pmid="29616537",
     citation="Petrić M, Martinović Kaliterna D, Božić I, Nuić M, Perković D. [Polymyositis and systemic sclerosis overlap - A case report and a review of the literature]. Reumatizam 2016;63(1):10-3",
     url="https://www.pubmed.gov/29616537/ ; https://m.booksci.cn/literature/35976054.htm",
     dx="Polymyositis and systemic sclerosis overlap (rule 11b)",
     flat={"age_years": 65, "sex": "male", **PROX, "ck_elevated": False, "biopsy_performed": True, "immunosuppression_response": "improved"},
     ev={"age_years sex": "A 65-year-old patient, long-time smoker ... painful edema in the distal parts of his limbs ('his': male)", PROX_KEYS: "proximal muscle weakness of his arms and legs (no side named; rule 2)",
         "ck_elevated": "Although his muscle enzymes were not increased", "biopsy_performed": "PM was confirmed by the characteristic pathohistological finding",
         "immunosuppression_response": "He received glucocorticoid therapy ... He felt better, his muscle strength returned"})

case("art-veyseh2021-covid-nam", "imnm_seronegative", pmid="33849864", doi="10.1136/bcr-2020-239457",
     citation="Veyseh M, Koyoda S, Ayesha B, et al. COVID-19 IgG-related autoimmune inflammatory necrotizing myositis. BMJ Case Rep 2021;14(4):e239457",
     url="http://47.251.13.51:8081/33849864 (PubMed record with figure legends) ; https://www.institut-myologie.org/en/2021/06/17/a-case-of-autoimmune-necrotizing-myopathy-possibly-linked-to-covid-19/ (summary of the case)",
     dx="Autoimmune (inflammatory) necrotizing myositis after COVID-19, anti-HMGCR and anti-SRP negative",
     flat={"age_years": 57, "sex": "female", "ck_elevated": True, "weakness_distal_predominant": True, "mri_muscle_edema": True,
           "ab_hmgcr": False, "ab_srp": False, "biopsy_performed": True, "biopsy_mhc1_upregulation": False, "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 57-year-old woman (institut-myologie summary)", "ck_elevated": "rhabdomyolysis with a CPK level +/- 15,000 U/l (approximate; number not entered)",
         "weakness_distal_predominant": "a progressive muscle deficiency predominantly distal", "mri_muscle_edema": "muscle edema in the lower limbs (imaging); PubMed figure 1: inflammation of the muscles",
         "ab_hmgcr ab_srp": "the HMGCR and SRP serologies always remained negative",
         "biopsy_performed biopsy_mhc1_upregulation": "Figure 2: MHC class I stain of muscle biopsy where the muscles are not stained at all; mildly necrotic ...",
         "immunosuppression_response": "treated with corticosteroid therapy (1 mg/kg/day) and physiotherapy, will recover perfectly"})

case("art-bmcneurol2023-covid-srp", "imnm_anti_srp", pmid="36949469", doi="10.1186/s12883-023-03170-1",
     citation="(title not in the retrieved excerpt) Case report of necrotizing autoimmune myositis with anti-SRP after COVID-19 infection. BMC Neurol 2023;23(1):117",
     url="http://mymedr.afpm.org.my/publications/106525",
     dx="Necrotizing autoimmune myositis, anti-SRP (and anti-Ro52) positive, after COVID-19",
     flat={"age_years": 60, "sex": "male", "age_at_onset_years": 60, "symptom_duration_months": 0.5, "onset_tempo": "acute", "symptom_myalgia": True,
           "dysphagia": True, "ck_elevated": True, "ab_srp": True, "ab_ro52": True, "biopsy_performed": True, "biopsy_necrotic_fibers": True,
           "biopsy_necrosis_predominant": True, "biopsy_lymphocytic_infiltrate_prominent": False, "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 60-year-old man diagnosed with COVID-19 infection", "age_at_onset_years symptom_duration_months onset_tempo": "a two-week history of myalgia, progressive limb weakness, and dysphagia (< 4 weeks -> acute)",
         "symptom_myalgia": "myalgia", "dysphagia": "and dysphagia", "ck_elevated": "Creatinine Kinase (CK) level of more than 10,000 U/L",
         "ab_srp ab_ro52": "strongly positive for anti-SRP and anti-Ro52 antibody",
         "biopsy_performed biopsy_necrotic_fibers biopsy_necrosis_predominant biopsy_lymphocytic_infiltrate_prominent": "a paucity-inflammation necrotizing myopathy with randomly distributed necrotic fibers",
         "immunosuppression_response": "responded well clinically and biochemically to IVIG, steroids and immunosuppressant"})

# ---------------------------------------------------------------- not IIM
case("art-biomedrep2017-hyperckemia", "not_iim", doi="10.3892/br.2016.822",
     citation="Klinis S, Symeonidis A, Karanasios D, Symvoulakis EK. Asymptomatic hyperCKemia during a two-year monitoring period: A case report and literature overview. Biomed Rep 2017;6(1):79-82",
     url="https://spandidos-publications.com/br/6/1/79",
     dx="Idiopathic (asymptomatic) hyperCKemia; no neuromuscular or other disorder found",
     flat={"age_years": 61, "sex": "female", "ck_u_l": 6591, "ck_elevated": True, "symptom_myalgia": False,
           "weakness_proximal_upper_symmetric": False, "weakness_proximal_lower_symmetric": False,
           "emg_myopathic": False, "emg_spontaneous_activity": False, "biopsy_performed": True},
     ev={"age_years sex": "a Caucasian 61-year-old woman", "ck_u_l ck_elevated": "sCK 6,122 IU/l; two years later sCK levels remain elevated, <=6,591 IU/l (>50-fold higher than normal); highest value used, no treatment",
         "symptom_myalgia weakness_proximal_upper_symmetric weakness_proximal_lower_symmetric": "presented as completely asymptomatic; physical examination negative for any neuromuscular disorder",
         "emg_myopathic emg_spontaneous_activity": "electromyogram ... negative for any neuromuscular or other disorder (rule 7: EMG normal)",
         "biopsy_performed": "muscle biopsy ... negative for any neuromuscular or other disorder"})

case("art-ijatt2021-exertional-rhabdo", "not_iim", doi="10.1123/ijatt.2020-0021",
     citation="Morogiello J, Roessler R. Exertional Rhabdomyolysis Following Noncontact Collegiate Recreational Activity: A Case Report. Int J Athl Ther Train 2021;26(3):145-147",
     url="https://ouci.dntb.gov.ua/en/works/7qo3LPQl/",
     dx="Acute exertional rhabdomyolysis (no myopathy identified; rule 11a)",
     flat={"age_years": 19, "sex": "male", "onset_tempo": "acute", "ck_elevated": True},
     ev={"age_years sex": "A healthy 19-year-old male", "onset_tempo": "cramps progressed to his quadriceps bilaterally within 23 min of initial reported symptoms",
         "ck_elevated": "diagnosed with acute exertional rhabdomyolysis (rule 5a)"})

case("art-annmedsurg2023-exercise-rhabdo", "not_iim", doi="10.1097/ms9.0000000000001479",
     citation="Alharbi KF, Alfahmi MZ. Exercise-induced rhabdomyolysis manifestations and complications: a case report. Ann Med Surg 2023;85(12):6285-6288",
     url="https://ouci.dntb.gov.ua/en/works/4rkAJkMl/",
     dx="Exercise-induced rhabdomyolysis after unaccustomed heavy exercise (no myopathy identified; rule 11a)",
     flat={"age_years": 39, "sex": "female", "onset_tempo": "acute", "symptom_myalgia": True, "weakness_asymmetric": True,
           "ck_elevated": True, "ast_elevated": True, "alt_elevated": True},
     ev={"age_years sex": "A 39-year-old female healthcare provider", "onset_tempo": "2 days after an unaccustomed heavy physical exercise session",
         "symptom_myalgia": "progressive right arm pain", "weakness_asymmetric": "right arm pain, swelling, weakness (one arm; rule 2 unilateral)",
         "ck_elevated ast_elevated alt_elevated": "Levels of serum creatinine kinase, aspartate aminotransferase, and alanine transaminase were moderately elevated"})

case("art-hara2020-srp-cardiac", "imnm_anti_srp", doi="10.1186/s12883-020-1599-5",
     citation="Hara A, Amano R, Yokote H, Ijima M, Zeniya S, Uchihara T, Yada S, Masumura M, Takei H, Nishino I, Toru S. Secondary cardiac involvement in anti-SRP-antibody-positive myopathy: an 87-year-old woman with heart failure symptoms as the first clinical presentation. BMC Neurol 2020",
     url="https://bmcneurol.biomedcentral.com/articles/10.1186/s12883-020-1599-5 ; https://bohrium.dp.tech/paper/arxiv/812687301866946562",
     dx="Anti-SRP-antibody-positive (necrotizing) myopathy with myopericarditis and colon carcinoma",
     flat={"age_years": 87, "sex": "female", "ck_elevated": True, **PROX, "ab_srp": True, "biopsy_performed": True, "cancer": True,
           "cardiac_involvement": True},
     ev={"age_years sex": "An 87-year-old woman", "ck_elevated": "referred because of suspected heart failure and elevated serum creatine kinase level",
         PROX_KEYS: "she developed muscle weakness predominantly in the proximal muscles (no limb or side named; rule 2)",
         "ab_srp biopsy_performed": "Muscle biopsy and immunological blood test led to the diagnosis of anti-SRP-antibody-positive myopathy",
         "cancer": "A colon carcinoma was also found and surgically removed",
         "cardiac_involvement": "Cardiac screening revealed arrhythmia and diastolic dysfunction with pericardial effusion"})

# ---------------------------------------------------------------- PubMed abstract sentences read in the ADE corpus (v2)
# (sentences of PubMed case-report abstracts, keyed by PMID: DRUG-AE.rel = sentences with a drug-adverse effect
# relation, ADE-NEG.txt = the other sentences; both files together hold most of each abstract)
ADE = "github:orlandc/ParserADE-Corpus@9de5757328380db0c290d3f591b7164559432910:ADE-Corpus-V2/"


def ade(pmid):
    return f"{ADE}DRUG-AE.rel + ADE-NEG.txt (ADE corpus v2: sentences of the PubMed abstract of PMID {pmid})"


case("art-pmid17763133-simva-cyclosporine", "statin_toxic_myopathy", pmid="17763133",
     citation="Simvastatin-induced rhabdomyolysis following cyclosporine treatment for uveitis. (PubMed PMID 17763133)",
     url=ade("17763133"),
     dx="Simvastatin-induced rhabdomyolysis (interaction with cyclosporine), resolved after discontinuation",
     flat={"age_years": 69, "sex": "female", "statin_exposure": True, "ck_elevated": True, "statin_withdrawal_outcome": "resolved"},
     ev={"age_years sex": "A 69-year-old female with chronic posterior uveitis", "statin_exposure": "on concomitant oral simvastatin for hypercholesterolemia",
         "ck_elevated": "Rhabdomyolysis developed with acute renal failure (rule 5a)",
         "statin_withdrawal_outcome": "Discontinuation of simvastatin and cyclosporine resulted in resolution of rhabdomyolysis (no immunosuppression given; cyclosporine was stopped)"})

case("art-pmid15811174-cerivastatin", "statin_toxic_myopathy", pmid="15811174",
     citation="Clearance rates of cerivastatin metabolites in a patient with cerivastatin-induced rhabdomyolysis. (PubMed PMID 15811174)",
     url=ade("15811174"),
     dx="Cerivastatin-induced (toxic) rhabdomyolysis",
     flat={"age_years": 74, "sex": "female", "statin_exposure": True, "symptom_myalgia": True, "ck_u_l": 19190, "ck_elevated": True},
     ev={"age_years sex": "A 74-year-old hypercholestrerolaemic woman", "statin_exposure": "taking cerivastatin (0.15 mg/day) for 22 days",
         "symptom_myalgia": "complained of general muscle weakness and muscle pain", "ck_u_l ck_elevated": "Her serum creatinine phosphokinase level was 19,190 IU/L; acute rhabdomyolysis"})

case("art-pmid17921794-simva-colchicine", "statin_toxic_myopathy", pmid="17921794",
     citation="Rapid onset of muscle weakness (rhabdomyolysis) associated with the combined use of simvastatin and colchicine. (PubMed PMID 17921794)",
     url=ade("17921794"),
     dx="Rhabdomyolysis/myopathy with simvastatin and colchicine, resolved after stopping both",
     flat={"statin_exposure": True, "other_myotoxic_drug": True, "onset_tempo": "acute", "symptom_difficulty_rising_from_chair": True,
           "ck_elevated": True, "emg_myopathic": True, "statin_withdrawal_outcome": "resolved"},
     ev={"statin_exposure": "had been taking simvastatin for over a year", "other_myotoxic_drug": "developed acute weakness within 3 weeks after the start of treatment with colchicine",
         "onset_tempo": "developed acute weakness", "symptom_difficulty_rising_from_chair": "Profound muscle weakness of lower extremities with inability to stand up and/or walk",
         "ck_elevated": "Rapid onset of muscle weakness (rhabdomyolysis) (title; rule 5a)", "emg_myopathic": "Elevated muscle enzymes and findings on electromyography were consistent with myopathy",
         "statin_withdrawal_outcome": "Rapid improvement in muscle strength accompanied by prompt resolution of abnormal elevation of muscle enzymes followed cessation of both medications"})

case("art-pmid11850606-ifn-pm", "pm", pmid="11850606",
     citation="A case of polymyositis with dilated cardiomyopathy associated with interferon alpha treatment for hepatitis B. (PubMed PMID 11850606)",
     url=ade("11850606"),
     dx="Polymyositis (interferon alpha-associated) with dilated cardiomyopathy",
     flat={"age_years": 33, "sex": "male", **PROX, "cardiac_involvement": True, "immunosuppression_response": "improved"},
     ev={"age_years sex": "a 33-yr-old male patient with history of chronic hepatitis B", PROX_KEYS: "interferon alpha was administered until the proximal muscle weakness developed (no side named; rule 2)",
         "cardiac_involvement": "polymyositis associated with dilated cardiomyopathy", "immunosuppression_response": "clinical symptoms of polymyositis improved with steroid and immunoglobulin treatment"})

case("art-pmid10904571-colchicine", "other_non_immune", pmid="10904571",
     citation="Colchicine-induced myopathy in renal failure. (PubMed PMID 10904571)",
     url=ade("10904571"),
     dx="Colchicine-induced myopathy (renal failure)",
     flat={"age_years": 60, "sex": "female", "onset_tempo": "acute", **PROX, "other_myotoxic_drug": True, "emg_myopathic": True, "biopsy_performed": True},
     ev={"age_years sex": "A 60 year-old woman with chronic renal failure", "onset_tempo": "developed acute proximal muscle weakness",
         PROX_KEYS: "acute proximal muscle weakness (no side named; rule 2)", "other_myotoxic_drug": "after receiving a regular dosage of colchicine",
         "emg_myopathic": "Elevation of muscle enzymes and electromyography were compatible with myopathy",
         "biopsy_performed": "Muscle biopsy revealed variation in muscle fiber size and few vacuolated fibers (not called rimmed; not mapped)"})

case("art-pmid17619811-colchicine-rhabdo", "other_non_immune", pmid="17619811",
     citation="Colchicine-induced rhabdomyolysis. (PubMed PMID 17619811)",
     url=ade("17619811"),
     dx="Colchicine-induced rhabdomyolysis",
     flat={"age_years": 79, "sex": "male", "symptom_fatigue": True, "symptom_myalgia": True, "other_myotoxic_drug": True, "ck_elevated": True},
     ev={"age_years sex": "A 79-year-old man", "symptom_fatigue symptom_myalgia": "hospitalized because of fatigue, myalgia, and leg weakness",
         "other_myotoxic_drug": "shortly after starting treatment with colchicine", "ck_elevated": "Investigation confirmed the diagnosis of rhabdomyolysis (rule 5a)"})

case("art-pmid14632592-colchicine-teen", "other_non_immune", pmid="14632592",
     citation="Colchicine-induced myopathy in a teenager with familial Mediterranean fever. (PubMed PMID 14632592)",
     url=ade("14632592"),
     dx="Colchicine-induced myopathy in a 15-year-old boy with familial Mediterranean fever",
     flat={"age_years": 15, "age_at_onset_years": 15, "sex": "male", "symptom_duration_months": 1, "onset_tempo": "subacute", **PROX,
           "symptom_myalgia": True, "other_myotoxic_drug": True, "ck_elevated": True, "ast_elevated": True, "alt_elevated": True,
           "ldh_elevated": True, "emg_myopathic": True, "biopsy_performed": True, "biopsy_lymphocytic_infiltrate_prominent": False},
     ev={"age_years age_at_onset_years sex": "A 15-year-old boy of Turkish origin", "symptom_duration_months onset_tempo": "progressive proximal muscle weakness and generalized myalgias, which started 1 month before presentation",
         PROX_KEYS: "Physical examination showed proximal muscle weakness in his arms and legs", "symptom_myalgia": "generalized myalgias",
         "other_myotoxic_drug": "was treated with colchicine 1.5 mg/d",
         "ck_elevated ast_elevated alt_elevated ldh_elevated": "Laboratory tests revealed elevated serum creatine kinase, aspartate aminotransferase, alanine aminotransferase, and lactate dehydrogenase",
         "emg_myopathic": "Electromyographic investigation revealed a myopathic pattern in proximal muscles",
         "biopsy_performed biopsy_lymphocytic_infiltrate_prominent": "biopsy of the deltoid muscle showed vacuolar degeneration ... with no inflammatory findings"})

case("art-pmid2362105-pbc-pm", "pm", pmid="2362105",
     citation="Primary biliary cirrhosis and polymyositis. (PubMed PMID 2362105)",
     url=ade("2362105"),
     dx="Polymyositis (with primary biliary cirrhosis), confirmed by muscle biopsy and electromyography",
     flat={"age_years": 68, "sex": "female", "biopsy_performed": True},
     ev={"age_years sex": "polymyositis in a 68-year-old woman", "biopsy_performed": "The diagnosis was confirmed by liver biopsy, antimitochondrial antibody, muscle biopsy, and electromyography (findings not named)"})

case("art-pmid3365032-ptu-pm", "pm", pmid="3365032",
     citation="Polymyositis after propylthiouracil treatment for hyperthyroidism. (PubMed PMID 3365032)",
     url=ade("3365032"),
     dx="Polymyositis after propylthiouracil treatment for hyperthyroidism (cause or chance left open by the authors)",
     flat={**PROX, "ck_elevated": True, "biopsy_performed": True},
     ev={PROX_KEYS: "developed a severe proximal muscle weakness (no side named; rule 2)", "ck_elevated": "and a raised creatine phosphokinase",
         "biopsy_performed": "Electromyography, muscle biopsy, and the course of the patient's illness were consistent with polymyositis (findings not named)"})

# Childhood DM/PM treated with methotrexate: 3 children with DM, 1 with PM; only statements about all four are used (rule 1a)
for _n, _lab, _dx in ((1, "jdm", "Childhood dermatomyositis"), (2, "jdm", "Childhood dermatomyositis"), (3, "jdm", "Childhood dermatomyositis"),
                      (4, "juvenile_myositis_other", "Childhood polymyositis (juvenile polymyositis; rule 11c)")):
    case(f"art-pmid433855-child-{_lab}-p{_n}", _lab, pmid="433855",
         citation="Childhood dermatomyositis and polymyositis. Treatment with methotrexate and prednisone. (PubMed PMID 433855)",
         url=ade("433855"), patient=f"Child {_n} of 4 (three with dermatomyositis, one with polymyositis; only statements about all four are used)",
         dx=_dx,
         flat={"immunosuppression_response": "improved"},
         ev={"immunosuppression_response": "All children showed a major clinical improvement within three months (prednisone + intravenous methotrexate)"})

case("art-jcrmhs2025-postcovid-dm", "dm", doi="10.55920/JCRMHS.2025.09.001369",
     citation="Prasad L, Jamal JM, Mohamed SSR, Gelbaya SA, Al Shabrawy AM. Post Covid-19 Dermatomyositis: A Case Report. JCRMHS (jmedcasereportsimages.org), DOI 10.55920/JCRMHS.2025.09.001369",
     url="https://jmedcasereportsimages.org/jcrmhs-v9-1369/",
     dx="Dermatomyositis after COVID-19 infection",
     flat={"age_years": 40, "sex": "female", "symptom_myalgia": True, "symptom_fatigue": True, "dysphagia": True,
           "immunosuppression_response": "improved"},
     ev={"age_years sex": "a previously healthy 40-year-old lady", "symptom_myalgia symptom_fatigue": "a prolonged period of myalgia, weakness, and fatigue",
         "dysphagia": "The disease progressed and gave rise to difficulty in breathing and swallowing (rash not named: not mapped)",
         "immunosuppression_response": "She responded favorably to immunosuppressants and steroids ... almost full recovery"})

for _n, _age, _sex, _desc in ((1, 5.5, "female", "a 5.5-year-old girl"), (2, 11, "male", "an 11-year-old boy")):
    case(f"art-fped2024-jdm-cns-p{_n}", "jdm", doi="10.3389/fped.2024.1409950",
         citation="Juvenile dermatomyositis with central nervous system involvement: two case reports from a retrospective single-center cohort, with literature review. Front Pediatr 2024",
         url="https://frontiersin.org/articles/10.3389/fped.2024.1409950/full", patient=f"Patient {_n} of 2 ({_desc})",
         dx="Juvenile dermatomyositis (anti-NXP2 positive) with central nervous system involvement",
         flat={"age_years": _age, "age_at_onset_years": _age, "sex": _sex, **PROX, "ab_nxp2": True, "immunosuppression_response": "improved"},
         ev={"age_years age_at_onset_years sex": f"Two patients, a 5.5-year-old girl and an 11-year-old boy (this record: {_desc})",
             PROX_KEYS: "Both ... were admitted with severe proximal muscle weakness and seizures (no side named; rule 2)",
             "ab_nxp2": "Both patients had confirmed presence of anti-NXP2 antibody",
             "immunosuppression_response": "Salvage therapies like IVMP pulse therapy and/or plasma exchange were administered successfully"})

# ---------------------------------------------------------------- anti-HMGCR in children (juvenile disease keeps the antibody label, RULES 11)
case("art-fped2023-hmgcr-child", "imnm_anti_hmgcr", doi="10.3389/fped.2023.1102539",
     citation="Watanuki K, Koga H. Case report: Diagnostic clues for anti-3-hydroxy-3-methylglutaryl-coenzyme A reductase myopathy in pediatric patients. Front Pediatr 2023",
     url="https://frontiersin.org/articles/10.3389/fped.2023.1102539/full",
     dx="Anti-HMGCR myopathy in a child (with erythematous skin rash)",
     flat={"ab_hmgcr": True, "immunosuppression_response": "improved"},
     ev={"ab_hmgcr": "We report a pediatric case of anti-HMGCR myopathy accompanied by skin rash (rash not named as a DM sign: not mapped; age not in the visible text)",
         "immunosuppression_response": "Motor function and serum creatine kinase level normalized after combinational treatment including early IVIG, methotrexate, and corticosteroid"})

case("art-neuropediatrics2017-hmgcr", "imnm_anti_hmgcr", doi="10.1055/s-0037-1602949",
     citation="Korenke C, Piegsa E, Blüthner M, Korinthenberg R, Wagner M. Muscle Dystrophy Differential Diagnosis: Manifestation of Anti-HMG-CoA Reductase Antibody Myositis in Infancy. Neuropediatrics 2017;48(S01) (poster abstract)",
     url="https://www.thieme-connect.com/products/ejournals/abstract/10.1055/s-0037-1602949",
     dx="Anti-HMGCR antibody myositis (necrotizing myopathy) with onset in early childhood, statin-naive",
     flat={"age_years": 13, "sex": "female", "age_at_onset_years": 4, "symptom_duration_months": 108, "onset_tempo": "insidious",
           "ck_u_l": 9800, "ck_elevated": True, "biopsy_performed": True, "biopsy_necrosis_predominant": True,
           "biopsy_lymphocytic_infiltrate_prominent": False, "ab_hmgcr": True, "statin_exposure": False, **panel_neg()},
     ev={"age_years sex": "We report a 13-year-old girl", "age_at_onset_years symptom_duration_months onset_tempo": "By the age of 4 years, she developed generalized muscular weakness ... slowly progressive (rule 1: 13-4 years; > 6 months -> insidious)",
         "ck_u_l ck_elevated": "At that time CK was 9,800 U/L (no ULN given)",
         "biopsy_performed biopsy_necrosis_predominant biopsy_lymphocytic_infiltrate_prominent": "A muscle biopsy performed at the age of 5 years showed a necrotizing myopathy without signs of myositis",
         "ab_hmgcr": "anti-HMGCR antibodies showed extremely elevated levels with 352 U/mL (normal < 20)", "statin_exposure": "The patient had never been treated with HMGCR inhibitors",
         panel_keys(): "Antibodies typical for other kinds of myositis were not found (rule 11d/6 panel)"})

case("art-jnd2023-hmgcr-child", "imnm_anti_hmgcr", doi="10.3233/JND-221557",
     citation="A Child with Refractory and Relapsing Anti-3-Hydroxy-3-Methylglutaryl-Coenzyme A Reductase Myopathy. J Neuromuscul Dis (DOI 10.3233/JND-221557)",
     url="https://api.growkudos.com/widgets/article/10.3233/JND-221557 (authors' plain-language summary of the article)",
     dx="Anti-HMGCR myopathy in a child, relapsing and refractory",
     flat={"ab_hmgcr": True, "immunosuppression_response": "no_response"},
     ev={"ab_hmgcr": "we present a pediatric patient with anti-HMGCR myopathy",
         "immunosuppression_response": "who has a relapsing and refractory disease course despite intense immunosuppressive therapies"})

# Congenital inflammatory myopathy (Montreal series, as summarised in Pediatric Neurology Briefs): the three reported
# patients; only the statements the summary makes of all patients are used (rule 1a)
for _n in (1, 2, 3):
    case(f"art-pnb-4-7-6-congenital-im-p{_n}", "juvenile_myositis_other", doi="10.15844/pedneurbriefs-4-7-6",
         citation="Congenital inflammatory myopathy (three patients from the Montreal Children's Hospital and Neurological Institute, McGill University; summary and comment). Pediatric Neurology Briefs vol. 4 issue 7 (DOI of the summary; the original article is not identified in the visible text)",
         url="https://www.pediatricneurologybriefs.com/articles/10.15844/pedneurbriefs-4-7-6/",
         patient=f"Montreal patient {_n} of 3 (only statements made of all patients are used)",
         dx="Congenital inflammatory myopathy (juvenile myositis without rash, onset antenatal/neonatal; rule 11c)",
         flat={"age_at_onset_years": 0, "biopsy_performed": True, "ck_elevated": True, "emg_myopathic": True},
         ev={"age_at_onset_years": "essential criteria: antenatal or neonatal presentation with decreased fetal movements, muscular hypotonia and weakness",
             "biopsy_performed": "essential criteria: muscle biopsy evidence for inflammatory cell infiltrate and muscle fiber damage (unqualified; not mapped further)",
             "ck_elevated": "CPK is elevated (said of the patients)", "emg_myopathic": "and the EMG is myopathic"})
