# %% tags=["parameters"]
# Parameters (papermill injects new values; keep literals only).
# Empty area_id: the first area; empty dataset_key: the latest prepared dataset.
# The data are found from the key (see README, reviewers), never from a path.
area_id = ""
dataset_key = ""
results_path = ""
window_days = 180
min_cell = 5
comparison = "balanced"

# %% tags=["setup"]
from narvard.domain import MEASURE_NAMES, survey_name
from narvard.report import cost_text, figures, quality_tables, survey_tables
from narvard.report import formatting as fmt
from narvard.report import notebook as nb
from narvard.report import tables as report_tables
from narvard.report import text as report_text
from narvard.report.glossary import glossary_markdown
from narvard.report.patient_flow import flow_table
from narvard.report.tornado import CAPTION as TORNADO_CAPTION
from narvard.report.tornado import tornado_chart
from narvard.results import assemble
from narvard.stats.contract_costs import team_blocks

nb.setup()

# %% tags=["analysis"]
# The analysis, step by step (reviewers rerun these cells; every number shown below comes
# from `results`, which is also saved as results.json):
# 1. the prepared dataset and the area's patients;
dataset = nb.open_dataset(dataset_key, window_days)
area = assemble.open_area(dataset, area_id)
# 2. the crude before/after figures (data contract §2), per group;
crude = assemble.consumption(area)
# 3. the adjusted effect against balanced comparison patients (docs/effects.md);
effects = assemble.effects(area, crude, comparison)
# 4. the surveys (shares with intervals, comparisons, themes);
survey_results = assemble.surveys(area, min_cell)
# 5. the cost-effect of that adjusted effect, and the region's;
cost_results = assemble.costs(area, crude, effects, comparison)
# 6. everything together, small counts hidden (disclosure control), saved.
results = assemble.finish(area, crude, survey_results, cost_results, min_cell, comparison)
nb.save_results(results, results_path)
consumption, surveys, profile = results["consumption"], results["surveys"], results["profile"]
PATIENT_SURVEY = "patient"

# %%
nb.show_title(results)

# %%
# NBVAL_CHECK_OUTPUT
nb.show_summary(results)

# %% [markdown]
# Rapporten följer upp de mobila vårdteamen i samverkansområdet: hemsjukvårdsteam (HSVT),
# där läkare från vårdcentralen arbetar tillsammans med kommunens hemsjukvård, och
# närsjukvårdsteam (NSVT), där läkare och sjuksköterskor från sjukhuset tar hand om
# medicinskt instabila patienter i hemmet. Rapporten följer SKR:s ramverk för lärande
# uppföljning av nära vård: A. Behov och förutsättningar, B. Samverkan och utveckling och
# C. Resultat.

# %% [markdown]
# ## A. Behov och förutsättningar
# Vilka patienter teamen når, hur många de är jämfört med den förväntade målgruppen, och
# vilken bemanning VGR:s nyckeltal ger för områdets befolkning (hemsjukvårdsläkare 3,5 per
# 100 000 invånare; närsjukvårdsteam 1 läkare och 2 sjuksköterskor per 100 000).

# %%
if profile["groups"]:
    nb.show_table(report_tables.coverage_table(results), "Nådda patienter och bemanning")
    nb.show_markdown(
        "Målgruppens storlek är ett antagande: i VGR:s slutrapport motsvarade de uppföljda "
        "patienterna ungefär en tredjedel av målgruppen, så målgruppen antas vara tre gånger "
        "så stor per invånare. Täckningen är antal nådda patienter under hela perioden "
        "delat med den förväntade målgruppen."
    )
    nb.show_table(report_tables.reach_table(results), "Inskrivna patienter per år (första besöket)")
    nb.show_table(
        report_tables.profile_table(results),
        "Ålder och kön hos patienterna som följs före och efter",
    )
else:
    nb.show_markdown("Området har inga patienter i uppgifterna.")

# %%
nb.show_markdown("## B. Samverkan och utveckling")
process_surveys = [s for s in surveys if s != PATIENT_SURVEY]
if not process_surveys:
    nb.show_markdown("Det finns inga chefs- eller medarbetarenkäter för området.")
for survey_id in process_surveys:
    nb.show_survey(survey_id, surveys[survey_id])

# %% [markdown]
# ## C. Resultat
# ### Patienternas upplevelse

# %%
if PATIENT_SURVEY in surveys:
    nb.show_survey(PATIENT_SURVEY, surveys[PATIENT_SURVEY], heading=False)
else:
    nb.show_markdown("Det finns ingen patientenkät för området.")

# %% [markdown]
# ### Vårdkonsumtion före och efter första teambesöket
# Tabellen jämför samma patienters vård under perioden före och perioden efter första
# teambesöket (för jämförelsegruppen: start av kommunal hemsjukvård). Siffrorna är enkla
# medelvärden per patient, som i tidigare utvärderingar. De visar inte hela effekten av
# teamen: patienter skrivs ofta in när de är som sjukast, och en del av minskningen hade
# då kommit ändå. Ett streck (–) betyder att siffran döljs för att skydda enskilda: den
# bygger på för få personer, eller skulle tillsammans med andra siffror i rapporten ge ett
# sådant litet antal; en punkt (·) att förändringen inte kan beräknas eftersom inget hände
# före.

# %%
if consumption:
    nb.show_table(
        flow_table(results),
        "Vilka patienter som ingår var: varje antal i rapporten är ett av dessa",
    )
    nb.show_table(report_tables.patients_table(results), "Patienter per grupp")
    nb.show_table(report_tables.consumption_table(results), "Vårdkonsumtion per patient")
    nb.show_figure(
        figures.consumption_chart(results),
        alt="Stapeldiagram: medelvärde per patient före och efter för "
        + ", ".join(MEASURE_NAMES[m].lower() for m in MEASURE_NAMES)
        + ", per grupp.",
        caption="Vårdkonsumtion per patient före (grå) och efter (blå, randig). ”Utan team i "
        "området” är jämförelsegruppen: områdets patienter i kommunal hemsjukvård utan team.",
    )
else:
    nb.show_markdown("Området har inga patienter i uppgifterna.")

# %% [markdown]
# ### Jämfört med regionen och publicerade resultat

# %%
from narvard.report.benchmarks import show_benchmarks

show_benchmarks(results)

# %% [markdown]
# ### Hur mycket beror på teamen?
# Patienter skrivs ofta in i ett team när de är som sjukast, och efter en sådan period
# minskar vårdbehovet ofta av sig självt (regression mot medelvärdet). Den enkla
# före–efter-jämförelsen överskattar därför ofta teamens effekt; den kan också visa mindre än
# effekten, när vården ökar över tid även hos patienter utan team. Effekten skattas i stället så
# här: varje patients vård efter inskrivningen jämförs med patientens egen vård under en
# *referensperiod* som ligger före inskrivningsperioden (för 180 dagar: 7–12 månader före
# första besöket), och förändringen jämförs med samma förändring hos liknande patienter i
# kommunal hemsjukvård utan team i regionen (viktade så att de har samma ålder, kön och
# tidpunkt för inskrivning som teamens patienter). Vården räknas per levd dag, så att den
# som avlider inte ser ut som minskad vård.
#
# Intervallet (95 % KI) visar osäkerheten: om det både innehåller minskningar och ökningar
# kan vi inte säga säkert att vården förändrats. Metoden har prövats på simulerade data där
# svaret är känt (se Metod och begränsningar).

# %%
adjusted = report_tables.adjusted_table(results)
if len(adjusted):
    nb.show_table(adjusted, "Enkel förändring och teamens effekt, per levd dag")
for group in ("HSVT", "NSVT"):
    block = consumption.get(group, {})
    if block.get("event_study"):
        nb.show_figure(
            figures.event_study_chart(block, group),
            alt=f"Linjediagram per månad från 18 månader före till 11 månader efter inskrivningen "
            f"för {group} och för liknande patienter utan team, i teamets nivå: vård per 30 "
            "levda dagar "
            "för fyra mått.",
            caption=f"{group}: vård per 30 levda dagar månad för månad. Den streckade linjen "
            "visar hur vården hade utvecklats om den följt de liknande patienternas utveckling "
            "från referensperioden (grå yta).",
        )
        nb.show_markdown(report_text.pre_trend_text(block, group))
    if block.get("comparison_group", {}).get("balance"):
        nb.show_table(
            report_tables.balance_table(block),
            f"{group}: hur lika är grupperna? Standardiserad skillnad, mål under 0,1",
        )
        if note := report_tables.balance_hidden_note(block, group):
            nb.show_markdown(note)
    if block.get("subgroups"):
        nb.show_table(
            report_tables.subgroup_table(block),
            f"{group}: enkel förändring i undergrupper (utforskande, ej justerad)",
        )
    if block.get("sensitivity"):
        nb.show_table(
            report_tables.sensitivity_table(block),
            f"{group}: känslighet för periodens längd (90, 180 och 365 dagar)",
        )
        if note := report_tables.hidden_lengths_note(block):
            nb.show_markdown(note)

# %% [markdown]
# ### Över tid: blir teamen bättre?

# %%
from narvard.report.over_time import show_over_time

show_over_time(results)

# %% [markdown]
# ### Kostnader
# Den enkla bruttobesparingen är den minskade vårdkonsumtionen (före minus efter) för
# teamens patienter, multiplicerad med en styckkostnad per besök och vårddag.
# Återinskrivningar ingår i vårddagarna och räknas inte två gånger. Eftersom patienterna
# ofta är som sjukast vid inskrivningen är den enkla siffran oftast för hög (men inte alltid,
# se ovan). Den justerade
# besparingen bygger på samma effekt som tabellen ovan: den vård teamens patienter fick
# efter inskrivningen jämförs med den vård de hade fått utan team, räknat på de dagar de
# levde (ett dödsfall räknas aldrig som en besparing), och räknas om till ett år utifrån hur
# många nya patienter teamen tar emot per år. Effekten skattas på de patienter vars
# referensperiod ryms i uppgifterna, men besparingen räknas för alla teamens patienter som
# följs före och efter. Osäkerheten kommer från effekten, från styckkostnaderna och från teamens
# kostnad (tusen slumpade kombinationer mellan låga och höga värden).

# %%
if results["costs"]:
    nb.show_table(
        report_tables.costs_table(results),
        report_tables.contract_savings_caption(results["window_days"]),
    )
    effect = report_tables.cost_effect_table(results["costs"])
    if len(effect):
        nb.show_table(effect, "Kostnad och nytta per år")
        if notes := cost_text.cost_table_notes(results["costs"]):
            nb.show_markdown(" ".join(notes))
    for group, block in team_blocks(results["costs"]).items():
        if block.get("net_savings_sek") is None:
            if note := cost_text.hidden_net_note(block, group):
                nb.show_markdown(note)
            continue
        nb.show_markdown(cost_text.cost_paragraph(block, results["area_name"], group))
        if cost_text.tornado_shown(block):
            nb.show_figure(
                tornado_chart(block["tornado"], title=f"{group}: vad avgör nettot?"),
                alt=f"Tornadodiagram för {group}: nettot per år (kostnad eller besparing) när "
                "varje antagande sätts till sitt låga och höga värde.",
                caption=TORNADO_CAPTION,
            )
    for line in report_tables.team_cost_lines(results["costs"]):
        nb.show_markdown(f"- Teamkostnad {line}")
    region_table = report_tables.region_cost_table(results["costs"])
    if len(region_table):
        nb.show_table(region_table, report_tables.region_cost_caption(results["region"]))
    nb.show_table(report_tables.unit_costs_table(results), "Styckkostnader och källor")
else:
    nb.show_markdown("Styckkostnader eller teampatienter saknas, så inga kostnader beräknas.")

# %%
suppression = report_text.suppression_text(results["min_cell"])
nb.show_markdown(
    "## Metod och begränsningar\n"
    f"- Föreperioden är de {results['window_days']} dagarna före indexdatum, efterperioden "
    f"indexdatum och de {results['window_days'] - 1} dagarna därefter. Indexdatum är första "
    "teambesöket, för jämförelsegruppen i området och de liknande patienterna i regionen "
    "start av kommunal hemsjukvård.\n"
    "- En patient ingår när båda perioderna ryms inom uttaget av vårdkontakter. Patienter som "
    "avlider under efterperioden ingår; de har färre levda dagar.\n"
    "- Akutbesök räknas bara när de inte ledde till inläggning. Vårddagar är antal nätter "
    "på sjukhus inom perioden. En oplanerad återinskrivning är en akut inläggning 0–30 dagar "
    "efter en tidigare utskrivning.\n"
    "- Regression mot medelvärdet: patienter skrivs in när de är som sjukast, och sådana "
    "perioder följs ofta av bättre perioder även utan insats. Därför överskattar en enkel "
    "före–efter-jämförelse ofta teamens effekt; när vården ökar över tid även utan team kan den "
    "i stället underskatta den. Effekten jämför i stället vården efter "
    "inskrivningen med en referensperiod före inskrivningsperioden, hos teamets patienter "
    "och hos liknande patienter utan team i regionen, viktade efter teamets ålder, kön och "
    "tidpunkt för inskrivning (en jämförelse av förändringar, difference-in-differences, per "
    "levd dag).\n"
    "- Metoden har prövats på simulerade data där den sanna effekten är känd: med "
    "regression mot medelvärdet, skröpligare teampatienter, olika utveckling med ålder och "
    "kalendertid samt dödsfall. Den enkla jämförelsen och en jämförelse som utgår från "
    "perioden närmast före inskrivningen gav fel svar; den använda metoden träffade rätt "
    "(narvards metodvalidering, docs/method-validation.md i projektet).\n"
    "- Undergrupperna (kön, ålder, kommun) är utforskande och inte justerade; de ska inte "
    "läsas som säkra skillnader.\n"
    "- Andelar i enkäterna redovisas med ett 95-procentigt konfidensintervall (Wilson): "
    "det sanna värdet ligger med stor sannolikhet inom intervallet.\n"
    f"- {suppression}\n"
)

# %%
nb.show_markdown(glossary_markdown())

# %%
nb.show_markdown("## Datakvalitet")
nb.show_table(quality_tables.rows_table(results), "Inlästa rader per tabell (hela datamaterialet)")
if results["data_quality"].get("dialects"):
    nb.show_table(
        quality_tables.dialects_table(results),
        "Så lästes indatafilerna (siffrorna blir desamma i alla format)",
    )
for line in report_tables.exclusion_lines(results):
    nb.show_markdown(f"- {line}")
for survey_id, survey in surveys.items():
    if survey.get("missing"):
        nb.show_table(
            survey_tables.missing_table(survey),
            f"Bortfall per fråga: {fmt.lower_first(survey_name(survey_id))}",
        )

# %%
nb.show_origin(results)
