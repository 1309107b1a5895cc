"""The report's Swedish word list (Ordlista): the terms a coordinator meets in the report,
each explained once in plain Swedish. The English glossary for developers is
docs/glossary.md; these are the same terms, as the report uses them."""

from __future__ import annotations

from narvard.report import formatting as fmt
from narvard.report import net_text

TERMS: dict[str, str] = {
    "Liknande patienter utan team": "patienter i regionen som fick kommunal hemsjukvård men "
    "inte teamens insats, viktade så att de liknar teamets patienter i ålder, kön och tidpunkt "
    "för inskrivning. Teamens effekt mäts mot dem.",
    "Jämförelsegrupp i området": "områdets patienter i kommunal hemsjukvård utan team; visas "
    "som bakgrund, men effekten mäts inte mot dem.",
    "Referensperiod": "en lika lång period närmast före föreperioden, alltså innan "
    "patienten blev som sjukast. Vården då är utgångsnivån när effekten räknas.",
    "Per levd dag": "vård räknad per dag patienten levde under perioden, så att den som avlider "
    "tidigt inte ser ut att ha fått mindre vård.",
    "Enkel förändring": "skillnaden före och efter första besöket hos samma patienter, utan "
    "jämförelse. Den överskattar ofta teamens effekt, eftersom patienter skrivs in när de är "
    "som sjukast (regression mot medelvärdet), men kan också underskatta den när vården ökar "
    "över tid även utan team. Räknad per patient ser minskningen också "
    "större ut när patienter avlider under efterperioden; räknad per levd dag gör den inte det.",
    "95 % KI (konfidensintervall)": "det spann som det sanna värdet med stor sannolikhet "
    "ligger inom. Ett brett intervall betyder att siffran är osäker.",
    "Statistiskt säkerställd": "intervallet omfattar inte ”ingen skillnad”; skillnaden är "
    "troligen inte en slump.",
    "SMD (standardiserad skillnad)": "hur olika två grupper är, oberoende av enhet. Under 0,1 "
    "räknas som lika.",
    "Kontrollgräns": "i trattdiagrammet: hur långt från regionens genomsnitt ett område kan "
    "hamna av slumpen. Små områden varierar mer.",
    "Basfall": "rapportens huvudberäkning av kostnader; i tornadodiagrammet ändras ett "
    "antagande i taget från den.",
    net_text.GLOSSARY_TERM: net_text.GLOSSARY_TEXT,
    "Styckkostnad": "vad en vårddag, ett akutbesök eller ett besök kostar, enligt källan i "
    "tabellen.",
    "Kostnad per undviken vårddag": "teamens kostnad per år delad med de vårddagar per år som "
    "teamen undvek: vad en vårddag som inte behövdes kostade i teamens arbete. Lägre än "
    "styckkostnaden per vårddag betyder att vårddagarna ensamma betalar teamen.",
    "n": "antal personer eller svar som en siffra bygger på.",
    fmt.SUPPRESSED: "siffran döljs, eftersom den bygger på för få personer eller skulle kunna "
    "räknas fram ur andra siffror.",
    fmt.NOT_APPLICABLE: "inte tillämpligt, eller inga uppgifter.",
}


def glossary_markdown() -> str:
    """The word list as a Markdown section (terms in bold, one line each)."""
    lines = [f"- **{term}**: {text}" for term, text in TERMS.items()]
    return "## Ordlista\n" + "\n".join(lines) + "\n"
