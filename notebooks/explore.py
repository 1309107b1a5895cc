# %% [markdown]
# # Utforska ett område
# För följeutvärderare: öppnar den bearbetade datan för ett område med bibliotekets
# inläsning, beräkningar och figurer. Kör `make report` (eller `narvard report`) först;
# notebooken använder då senast bearbetade datamaterial. Ändra `area_id` nedan.

# %% tags=["parameters"]
area_id = ""
dataset_key = ""
window_days = 180
min_cell = 5

# %%
from narvard.report import figures
from narvard.report import notebook as nb
from narvard.report import tables as report_tables
from narvard.stats.crude import consumption_results

nb.setup()
dataset = nb.open_dataset(dataset_key, window_days)
areas = dataset.areas()
area_id = area_id or str(areas["area_id"].iloc[0])
areas

# %% [markdown]
# ## Per patient
# En rad per patient med alla mått i för- och efterperioden (`patient_windows`). Detta är
# bearbetade data på individnivå: visa dem aldrig utanför den säkra miljön.

# %%
windows = dataset.windows()
area_windows = windows[windows["area_id"] == area_id]
area_windows.head()

# %%
area_windows.groupby(["group", "included"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Samma siffror som rapporten
# `results` är exakt det som rapporten visar och som sparas i `results.json`
# (med skydd av små tal enligt `min_cell`).

# %%
results = nb.load_results(area_id, str(dataset.folder), window_days, min_cell, "")
nb.show_table(report_tables.consumption_table(results), "Vårdkonsumtion per patient")
nb.show_figure(figures.consumption_chart(results), alt="Vårdkonsumtion före och efter")

# %% [markdown]
# ## Egna urval
# Biblioteket räknar på vilken delmängd som helst, till exempel patienter 85 år och äldre
# (utan skydd av små tal: använd bara för egen analys).

# %%
age = area_windows["index_date"].dt.year - area_windows["birth_year"]
consumption_results(area_windows[age >= 85])["HSVT"]["measures"]["inpatient_days"]
