"""Every source myoclass cites, once, with the identifiers (DOI, PMID) as verified by the team; the
sources of each criteria set are listed in ``docs/criteria.md``.

Where an identifier could not be verified it is left out rather than guessed (e.g. the PubMed
ID of the Annals paper of the EULAR/ACR criteria, quoted two ways by public code).

The citation of each criteria set is named after the set's id (``ENMC_2017_IMNM`` for the set
``enmc_2017_imnm``, defined in ``enmc_2017_imnm.py`` and tested in ``tests/test_enmc_2017_imnm.py``);
``tests/test_criteria_common.py`` holds the four names together.
"""

from myoclass.criteria.api import Citation

ENMC_2017_IMNM = Citation(
    "enmc224",
    "Allenbach Y, Mammen AL, Benveniste O, Stenzel W; IMNM Working Group. 224th ENMC International "
    "Workshop: Clinico-sero-pathological classification of immune-mediated necrotizing myopathies, "
    "Zandvoort, 14-16 October 2016. Neuromuscul Disord 2018;28(1):87-99.",
    doi="10.1016/j.nmd.2017.09.016",
    short="Allenbach et al. 2018 (224th ENMC)",
)
EULAR_ACR_2017 = Citation(
    "eular2017",
    "Lundberg IE, Tjärnlund A, Bottai M, et al. 2017 EULAR/ACR classification criteria for adult and "
    "juvenile idiopathic inflammatory myopathies and their major subgroups. Ann Rheum Dis "
    "2017;76(12):1955-1964 (also Arthritis Rheumatol 2017;69(12):2271-2282, doi:10.1002/art.40320, PMID 29106061).",
    doi="10.1136/annrheumdis-2017-211468",
    short="Lundberg et al. 2017 (EULAR/ACR)",
)
BOTTAI_2017 = Citation(
    "bottai2017",
    "Bottai M, et al. EULAR/ACR classification criteria for adult and juvenile idiopathic inflammatory "
    "myopathies and their major subgroups: a methodology report. RMD Open 2017;3:e000507.",
    doi="10.1136/rmdopen-2017-000507",
    short="Bottai et al. 2017 (methodology)",
)
KI_CALCULATOR = Citation(
    "ki_calc",
    "Karolinska Institutet. EULAR/ACR IIM classification criteria web calculator, instructions.",
    url="http://www.imm.ki.se/biostatistics/calculators/iim/instructions.html",
    short="Karolinska calculator instructions",
)
IMCCP_2014 = Citation(
    "imccp2014",
    "International Myositis Classification Criteria Project, progress report. Pediatr Rheumatol "
    "2014;12(Suppl 1):P94 (\"If no skin rash is present a muscle biopsy is mandatory\").",
    short="IMCCP progress report 2014",
)
ENMC_2003_IIM = Citation(
    "enmc119",
    "Hoogendijk JE, Amato AA, Lecky BR, et al. 119th ENMC international workshop: trial design in adult "
    "idiopathic inflammatory myopathies, with the exception of inclusion body myositis, 10-12 October "
    "2003, Naarden. Neuromuscul Disord 2004;14:337-345.",
    doi="10.1016/j.nmd.2004.02.006",
    short="Hoogendijk et al. 2004 (119th ENMC)",
)
ENMC_2011_IBM = Citation(
    "enmc_ibm",
    "Rose MR; ENMC IBM Working Group. 188th ENMC International Workshop: Inclusion Body Myositis, "
    "2-4 December 2011, Naarden. Neuromuscul Disord 2013;23(12):1044-1055 (categories as reproduced "
    "in Machado et al., Curr Rheumatol Rep 2014, PMC4233319, Table 2).",
    url="https://pmc.ncbi.nlm.nih.gov/articles/PMC4233319/",
    short="Rose et al. 2013 (ENMC 2011 IBM)",
)
LLOYD_2014 = Citation(
    "lloyd2014",
    "Lloyd TE, et al. Evaluation and construction of diagnostic criteria for inclusion body myositis. "
    "Neurology 2014.",
    doi="10.1212/WNL.0000000000000642",
    short="Lloyd et al. 2014",
)
BOHAN_PETER_1975 = Citation(
    "bohan_peter",
    "Bohan A, Peter JB. Polymyositis and dermatomyositis (first and second of two parts). N Engl J Med "
    "1975;292:344-347 and 403-407.",
    doi="10.1056/NEJM197502132920706",
    pmid="1090839",
    short="Bohan & Peter 1975",
)
CONNORS_2010_ASS = Citation(
    "connors2010",
    "Connors GR, Christopher-Stine L, Oddis CV, Danoff SK. Interstitial lung disease associated with the "
    "idiopathic inflammatory myopathies: what progress has been made in the past 35 years? Chest "
    "2010;138(6):1464-1474.",
    doi="10.1378/chest.09-2849",
    short="Connors et al. 2010",
)
MAMMEN_2017 = Citation(
    "mammen2017",
    "Mammen AL. Which nonautoimmune myopathies are most frequently misdiagnosed as myositis? Curr Opin "
    "Rheumatol 2017;29(6):618-622.",
    doi="10.1097/BOR.0000000000000441",
    pmid="28832350",
    short="Mammen 2017",
)
MAMMEN_2012 = Citation(
    "mammen2012",
    "Mammen AL, et al. Rarity of anti-3-hydroxy-3-methylglutaryl-coenzyme A reductase antibodies in "
    "statin users, including those with self-limited musculoskeletal side effects. Arthritis Care Res "
    "2012;64(2):269-272.",
    doi="10.1002/acr.20662",
    short="Mammen et al. 2012",
)
CHOW_2024 = Citation(
    "chow2024",
    "Chow et al. Anti-HMGCR myopathy, New Zealand national cohort. Semin Arthritis Rheum 2024.",
    doi="10.1016/j.semarthrit.2024.152522",
    short="Chow et al. 2024",
)
ALL = [ENMC_2017_IMNM, EULAR_ACR_2017, BOTTAI_2017, KI_CALCULATOR, IMCCP_2014, ENMC_2003_IIM, ENMC_2011_IBM,
       LLOYD_2014, BOHAN_PETER_1975, CONNORS_2010_ASS, MAMMEN_2017, MAMMEN_2012, CHOW_2024]

# --- sources of the guidance (reasoning/guidance.py) ------------------------------------------
ALLENBACH_2016 = Citation(
    "allenbach2016",
    "Allenbach Y, Keraen J, Bouvier AM, et al. High risk of cancer in autoimmune necrotizing myopathies: usefulness "
    "of myositis specific antibody. Brain 2016;139:2131-2135.",
    doi="10.1093/brain/aww054",
    short="Allenbach et al. 2016 (Brain)",
)
SHELLY_2022_IMNM_CANCER = Citation(
    "shelly2022imnm",
    "Shelly S, Beecher G, Milone M, et al. Cancer and immune-mediated necrotizing myopathy: a longitudinal referral "
    "case-controlled outcomes evaluation. Rheumatology (Oxford) 2022;62(1).",
    pmid="35285492",
    short="Shelly et al. 2022 (Rheumatology)",
)
PINAL_FERNANDEZ_2018 = Citation(
    "pinal2018",
    "Pinal-Fernandez I, Casal-Dominguez M, Mammen AL. Immune-mediated necrotizing myopathy. Curr Rheumatol Rep "
    "2018;20(4):21 (PMC6019613).",
    url="https://pmc.ncbi.nlm.nih.gov/articles/PMC6019613",
    short="Pinal-Fernandez et al. 2018",
)
MOHASSEL_MAMMEN_2018 = Citation(
    "mohassel2018",
    "Mohassel P, Mammen AL. Anti-HMGCR myopathy. J Neuromuscul Dis 2018.",
    url="https://content.iospress.com/articles/journal-of-neuromuscular-diseases/jnd170282",
    short="Mohassel & Mammen 2018",
)
LGMD_LIKE_2019 = Citation(
    "hmgcr_lgmd2019",
    "Anti-HMGCR myopathy may resemble limb-girdle muscular dystrophy. Neurol Neuroimmunol Neuroinflamm "
    "2019;6(1):e523.",
    pmid="30588482",
    short="Neurol Neuroimmunol Neuroinflamm 2019",
)
BANDEIRA_2023 = Citation(
    "bandeira2023",
    "Bandeira M, et al. Predictors of cardiac involvement in idiopathic inflammatory myopathies (Reuma.pt). Front "
    "Immunol 2023;14:1146817.",
    doi="10.3389/fimmu.2023.1146817",
    short="Bandeira et al. 2023",
)
MA_2021 = Citation(
    "ma2021",
    "Ma X, et al. Immune-mediated necrotizing myopathy: clinical, serological and pathological features "
    "(Chinese cohort). Front Neurol 2021.",
    doi="10.3389/fneur.2021.670784",
    short="Ma et al. 2021",
)
ORPHANET_IMNM = Citation(
    "orpha206569",
    "Orphanet. Immune-mediated necrotizing myopathy, ORPHA:206569.",
    short="Orphanet ORPHA:206569",
)
SELVA_2018 = Citation(
    "selva2018",
    "Selva-O'Callaghan A, et al. Classification and management of adult inflammatory myopathies. Lancet Neurol "
    "2018;17(9):816-828, Table 1 (PMC11646336).",
    url="https://pmc.ncbi.nlm.nih.gov/articles/PMC11646336",
    short="Selva-O'Callaghan et al. 2018",
)
BOSCH_2009_RHABDO = Citation(
    "bosch2009rhabdo",
    "Bosch X, Poch E, Grau JM. Rhabdomyolysis and acute kidney injury. N Engl J Med 2009;361(1):62-72 (first page "
    "read: acute kidney injury is a potential complication of severe rhabdomyolysis, whatever its cause, and the "
    "prognosis is substantially worse if renal failure develops).",
    doi="10.1056/NEJMra0801327",
    short="Bosch et al. 2009",
)
HUERTA_ALARDIN_2005_RHABDO = Citation(
    "huertaalardin2005rhabdo",
    "Huerta-Alardín AL, Varon J, Marik PE. Bench-to-bedside review: rhabdomyolysis, an overview for clinicians. Crit "
    "Care 2005;9(2):158-169 (abstract: in the absence of myocardial or brain infarction, CK above 5,000 U/L indicates "
    "serious muscle injury; complications include electrolyte imbalances and acute renal failure; causes include "
    "trauma, enzyme deficiencies, electrolyte disorders, infections, drugs, toxins and endocrinopathies; management "
    "includes early vigorous hydration).",
    doi="10.1186/cc2978",
    short="Huerta-Alardín et al. 2005",
)
SCALCO_2016_RHABDO = Citation(
    "scalco2016rhabdo",
    "Scalco RS, Snoeck M, Quinlivan R, et al. Exertional rhabdomyolysis: physiological response or manifestation of "
    "an underlying myopathy? BMJ Open Sport Exerc Med 2016;2(1):e000151 (abstract: exertional rhabdomyolysis may be "
    "the first manifestation of a genetic muscle disease; repeated episodes should raise the suspicion of such a "
    "disorder; key messages: consider a genetic cause in case of recurrent episodes or CK above 50 times the upper "
    "limit; table 1: disorders of glycogen and long-chain fatty-acid metabolism, RYR1).",
    doi="10.1136/bmjsem-2016-000151",
    pmid="27900193",
    short="Scalco et al. 2016",
)
NMD_2021_RHABDO = Citation(
    "nmd2021rhabdo",
    "Incidence and clinical spectrum of rhabdomyolysis in general neurology: a retrospective cohort study. "
    "Neuromuscul Disord 2021;31(12):1227-1234 (abstract: 248 patients, CK above 950 U/L, median 2,160 U/l; CK "
    "half-life 1.5 days; in myopathies CK significantly higher 7 days after the peak).",
    doi="10.1016/j.nmd.2021.09.012",
    pmid="34711480",
    short="Neuromuscul Disord 2021 (rhabdomyolysis in general neurology, Vienna)",
)
LILLEKER_2018_TROPONIN = Citation(
    "lilleker2018troponin",
    "Lilleker JB, Diederichsen ACP, Jacobsen S, et al. Using serum troponins to screen for cardiac involvement and "
    "assess disease activity in the idiopathic inflammatory myopathies. Rheumatology (Oxford) 2018;57(6):1041-1046 "
    "(abstract: in 123 adults with IIM, an abnormal cardiac troponin I had the highest specificity, 95%, and positive "
    "predictive value, 62%, for cardiac involvement; troponin T tracked skeletal-muscle disease activity).",
    doi="10.1093/rheumatology/key031",
    short="Lilleker et al. 2018",
)
HUGHES_2015_TROPONIN = Citation(
    "hughes2015troponin",
    "Hughes M, Lilleker JB, Herrick AL, Chinoy H. Cardiac troponin testing in idiopathic inflammatory myopathies and "
    "systemic sclerosis-spectrum disorders: biomarkers to distinguish between primary cardiac involvement and "
    "low-grade skeletal muscle disease activity. Ann Rheum Dis 2015;74(5):795-798 (abstract: cardiac troponin I "
    "appears specific to the myocardium; troponin T is also expressed by regenerating skeletal muscle).",
    doi="10.1136/annrheumdis-2014-206812",
    pmid="25732174",
    short="Hughes et al. 2015",
)
JOHNSON_2024_ILD = Citation(
    "johnson2024ild",
    "Johnson SR, Bernstein EJ, Bolster MB, et al. 2023 American College of Rheumatology (ACR)/American College of "
    "Chest Physicians (CHEST) Guideline for the Screening and Monitoring of Interstitial Lung Disease in People with "
    "Systemic Autoimmune Rheumatic Diseases. Arthritis Rheumatol 2024;76(8):1182-1200, Table 4 (recommendations for "
    "monitoring), read in the guideline's summary as published by Guideline Central.",
    doi="10.1002/art.42860",
    pmid="38973714",
    short="Johnson et al. 2024 (2023 ACR/CHEST ILD guideline)",
)
OLDROYD_2021 = Citation(
    "oldroyd2021",
    "Oldroyd AGS, et al. A systematic review and meta-analysis to inform cancer screening guidelines in idiopathic "
    "inflammatory myopathies. Rheumatology 2021;60(6):2615-2628.",
    doi="10.1093/rheumatology/keab166",
    pmid="33599244",
    short="Oldroyd et al. 2021",
)
MAYO_NMS1 = Citation(
    "mayo_nms1",
    "Mayo Clinic Laboratories. NMS1 Necrotizing Myopathy Evaluation (HMGCR and SRP antibodies; SRP by tissue "
    "indirect immunofluorescence reported as more sensitive than immunoblot).",
    url="https://www.mayocliniclabs.com/test-catalog/overview/607414",
    short="Mayo Clinic Laboratories NMS1",
)
MONDO_LGMDR28 = Citation(
    "lgmdr28",
    "LGMD R28 (HMGCR-related), OMIM 620375, MONDO:0957270.",
    url="https://www.omim.org/entry/620375",
    short="OMIM 620375 (LGMD R28)",
)
NECROSIS_BIOPSY_2022 = Citation(
    "bmc2022",
    "Biopsy cohort of 860 patients (IMNM per ENMC 2018 vs LGMD2B and lipid storage myopathy). BMC Musculoskelet "
    "Disord 2022.",
    doi="10.1186/s12891-022-05372-z",
    short="BMC Musculoskelet Disord 2022",
)
WIRTZ_2002 = Citation(
    "wirtz2002",
    "Wirtz PW, et al. Difference in distribution of muscle weakness between myasthenia gravis and the Lambert-Eaton "
    "myasthenic syndrome. J Neurol Neurosurg Psychiatry 2002;73(6):766.",
    doi="10.1136/jnnp.73.6.766",
    pmid="12438488",
    short="Wirtz et al. 2002 (101 MG, 38 LEMS, the Netherlands)",
)
WATANABE_2016 = Citation(
    "watanabe2016",
    "Watanabe Y, Uruha A, Suzuki S, et al. Clinical features and prognosis in anti-SRP and anti-HMGCR necrotising "
    "myopathy. J Neurol Neurosurg Psychiatry 2016;87(10):1038-1044.",
    doi="10.1136/jnnp-2016-313166",
    pmid="27147697",
    short="Watanabe et al. 2016",
)
