# %% tags=["parameters"]
# Parameters (papermill injects new values; keep literals only).
# Empty area_id: the first area; empty processed_dir: the latest prepared dataset.
area_id = ""
processed_dir = ""
results_path = ""
window_days = 180
min_cell = 5

# %% tags=["setup"]
from narvard import figures, report_tables
from narvard import formatting as fmt
from narvard import notebook as nb
from narvard.labels import MEASURE_NAMES, group_name, survey_name

nb.setup()
results = nb.load_results(area_id, processed_dir, window_days, min_cell, results_path)
consumption = results["consumption"]
surveys = results["surveys"]

# %%
nb.show_markdown(f"# Uppföljning av mobil närvård: {results['area_name']}")
nb.show_html(nb.header_html(results))

# %% [markdown]
# Rapporten följer upp de mobila vårdteamen i samverkansområdet: hemsjukvårdsteam (HSVT),
# där läkare från vårdcentralen arbetar tillsammans med kommunens hemsjukvård, och
# närsjukvårdsteam (NSVT), där läkare och sjuksköterskor från sjukhuset tar hand om
# medicinskt instabila patienter i hemmet. Den visar hur patienterna använde vård före och
# efter första teambesöket, vad patienter och medarbetare svarade i enkäter, och vad den
# minskade vårdkonsumtionen motsvarar i kronor.

# %%
# NBVAL_CHECK_OUTPUT
nb.show_markdown("## Sammanfattning")
lines = []
for group in ("HSVT", "NSVT"):
    if group in consumption:
        days = consumption[group]["measures"]["inpatient_days"]
        lines.append(
            f"- **{group_name(group)}:** {fmt.number(consumption[group]['n_patients'])} patienter. "
            f"Vårddagar per patient: {fmt.number(days['before_mean'], 1)} före och "
            f"{fmt.number(days['after_mean'], 1)} efter första teambesöket "
            f"({fmt.percent(days['change_pct'], signed=True)})."
        )
for group, cost in results["costs"].items():
    lines.append(
        f"- **Bruttobesparing {group}** (enkel före–efter-jämförelse): "
        f"{fmt.sek(cost['gross_savings_sek'], millions=True)}."
    )
if "patient" in surveys:
    lines.append(
        f"- **Patientenkäten:** {fmt.number(surveys['patient']['respondents'])} svarande "
        f"(svarsfrekvens {fmt.share(surveys['patient']['response_rate'])})."
    )
nb.show_markdown("\n".join(lines) if lines else "Det finns inga uppgifter för området.")

# %% [markdown]
# ## Patienter
# En patient ingår när både föreperioden och efterperioden ryms inom det uttag av
# vårdkontakter som finns. Övriga patienter räknas och redovisas men ingår inte i
# jämförelsen. Patienter som avlider under efterperioden ingår; de har färre levda dagar.

# %%
if consumption:
    nb.show_table(report_tables.patients_table(results), "Patienter per grupp")
    for line in report_tables.exclusion_lines(results):
        nb.show_markdown(f"- {line}")
else:
    nb.show_markdown("Området har inga patienter i uppgifterna.")

# %% [markdown]
# ## Vårdkonsumtion före och efter första teambesöket
# Tabellen jämför samma patienters vård under perioden före och perioden efter första
# teambesöket (för jämförelsegruppen: start av kommunal hemsjukvård). Siffrorna är enkla
# medelvärden per patient, som i tidigare utvärderingar. De visar inte hela effekten av
# teamen: patienter skrivs ofta in när de är som sjukast, och en del av minskningen hade
# då kommit ändå. Ett streck (–) betyder att siffran döljs eftersom den bygger på för få
# personer; en punkt (·) att förändringen inte kan beräknas eftersom inget hände före.

# %%
if consumption:
    nb.show_table(report_tables.consumption_table(results), "Vårdkonsumtion per patient")
    nb.show_figure(
        figures.consumption_chart(results),
        alt="Stapeldiagram: medelvärde per patient före och efter för "
        + ", ".join(MEASURE_NAMES[m].lower() for m in MEASURE_NAMES)
        + ", per grupp.",
        caption="Vårdkonsumtion per patient före (grå) och efter (blå, streckad).",
    )

# %% [markdown]
# ## Enkäter
# Andel positiva svar är andelen som svarat ”Ofta” eller ”Alltid” (patientenkäten) eller
# ”Stämmer ganska bra” eller ”Stämmer helt” bland dem som tagit ställning. Svar som
# ”Ingen uppfattning”, ”Vet ej” och obesvarade frågor räknas inte in.

# %%
if not surveys:
    nb.show_markdown("Det finns inga enkätsvar för området.")
for survey_id, survey in surveys.items():
    nb.show_markdown(f"### {survey_name(survey_id)}")
    nb.show_table(report_tables.response_table(survey), "Svarsfrekvens")
    if survey["items"]:
        nb.show_table(report_tables.survey_table(survey), "Andel positiva svar (antal som svarat)")
        nb.show_figure(
            figures.survey_chart(survey, survey_name(survey_id)),
            alt=f"Liggande staplar: andel positiva svar per fråga i {survey_name(survey_id).lower()}"
            ", per svarsgrupp.",
        )
    for qid, answers in survey["open_questions"].items():
        nb.show_markdown(
            f"Fritextfrågan ”{survey['questions'][qid]['text']}” besvarades av "
            f"{fmt.number(answers['n'])} personer."
        )

# %% [markdown]
# ## Kostnader
# Bruttobesparingen är den minskade vårdkonsumtionen (före minus efter) för teamens
# patienter, multiplicerad med en styckkostnad per besök och vårddag. Återinskrivningar
# ingår i vårddagarna och räknas inte två gånger. Eftersom jämförelsen är före–efter utan
# hänsyn till att patienterna ofta är som sjukast vid inskrivningen är beloppet en
# övre gräns snarare än en säker effekt.

# %%
if results["costs"]:
    nb.show_table(report_tables.costs_table(results), "Bruttobesparing per grupp och post")
    nb.show_table(report_tables.unit_costs_table(results), "Styckkostnader och källor")
else:
    nb.show_markdown("Styckkostnader eller teampatienter saknas, så inga kostnader beräknas.")

# %%
suppression = (
    f"Antal under {results['min_cell']} visas inte (–), och inte heller siffror som bygger på "
    "färre patienter eller svarande, så att ingen enskild kan identifieras."
    if results["min_cell"] > 0
    else "Skyddet av små tal är avstängt i den här körningen (endast för granskning)."
)
nb.show_markdown(
    "## Metod och begränsningar\n"
    f"- Föreperioden är de {results['window_days']} dagarna före indexdatum, efterperioden "
    f"indexdatum och de {results['window_days'] - 1} dagarna därefter.\n"
    "- Akutbesök räknas bara när de inte ledde till inläggning. Vårddagar är antal nätter "
    "på sjukhus inom perioden. En oplanerad återinskrivning är en akut inläggning 0–30 dagar "
    "efter en tidigare utskrivning.\n"
    f"- {suppression}\n"
    f"- Beräknat med narvard {results['dataset']['narvard_version']}; alla siffror finns i "
    "results.json bredvid rapporten."
)
