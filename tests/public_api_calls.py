"""Call every public function of cxlab once, on tiny data, in whatever environment runs this.

tests/test_packaging.py runs it as a script inside fresh virtual environments where cxlab
was installed from its wheel with the declared dependencies alone:

    python public_api_calls.py full   # cxlab[plots,course]: every module, plots and widgets too
    python public_api_calls.py teams  # cxlab[teams]: the base and the survey report, no plots, no course
    python public_api_calls.py base   # cxlab alone: everything but plots, widgets, the report and the course

The public functions are found, not listed: each public module of the package (``cxlab``,
``cxlab.stats``, ``cxlab.drivers``, ...; a new one is picked up too) contributes its
``__all__`` or else the functions it defines under names without a leading underscore. A
public function with no call in ``CALLS`` is an error, so a new one cannot be forgotten.
Besides the calls, every import in the installed package's source (also those inside
functions) must resolve, so a module the calls miss still cannot need an undeclared package.
It prints one line per call and exits non-zero on any failure.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import sys
import traceback
from pathlib import Path

# Modules that need an extra, by the extra: the rest of the package needs the base dependencies only.
EXTRA_OF_MODULE = {"cxlab.plots": "plots", "cxlab.widgets": "plots", "cxlab.report": "teams",
                   "cxlab.course": "course"}
#: Packages that a module of the base imports inside one function only, by the extra that installs them.
EXTRA_OF_IMPORT = {"semopy": "sem"}
#: The extras each mode's environment has installed (the course extra brings sem).
EXTRAS_OF_MODE = {"base": set(), "teams": {"teams"}, "full": {"plots", "teams", "course", "sem"}}
#: Packages of the extras that must not be in a mode's environment (its extras would pull them in by mistake).
ABSENT_IN_MODE = {"base": ("matplotlib", "ipywidgets", "nbgrader", "jinja2", "semopy"),
                  "teams": ("matplotlib", "ipywidgets", "nbgrader", "traitlets", "semopy"), "full": ()}


def needs_extra(module_name: str) -> str | None:
    for prefix, extra in EXTRA_OF_MODULE.items():
        if module_name == prefix or module_name.startswith(prefix + "."):
            return extra
    return None


def public_modules(mode: str) -> list[str]:
    """``cxlab`` and its public submodules (no leading underscore), the course toolkit excepted.

    The course toolkit is checked through its command line and its imports instead: its
    functions work on a whole course folder, which the course tests build.
    """
    import cxlab

    names = ["cxlab"]
    for info in pkgutil.iter_modules(cxlab.__path__, prefix="cxlab."):
        short = info.name.rsplit(".", 1)[1]
        if short.startswith("_") or needs_extra(info.name) == "course":
            continue
        if needs_extra(info.name) not in (None, *EXTRAS_OF_MODE[mode]):
            continue
        names.append(info.name)
    return names


def public_functions(module_name: str) -> dict[str, object]:
    """Qualified name -> function, for the public functions a module offers."""
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    found = {}
    for name in exported if exported is not None else dir(module):
        if name.startswith("_"):
            continue
        value = getattr(module, name)
        if not inspect.isfunction(value):
            continue
        defined_here = value.__module__ == module_name or value.__module__.startswith(module_name + ".")
        if exported is not None or defined_here:
            found[f"{module_name}.{name}"] = value
    return found


def third_party_imports(mode: str) -> dict[str, set[str]]:
    """Top-level package -> the installed cxlab source files that import it (any depth, any place)."""
    import cxlab

    root = Path(cxlab.__file__).parent
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        module_name = ".".join(("cxlab", *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        if needs_extra(module_name) not in (None, *EXTRAS_OF_MODE[mode]):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if EXTRA_OF_IMPORT.get(top, None) not in (None, *EXTRAS_OF_MODE[mode]):
                    continue
                if top != "cxlab" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(module_name)
    return found


# ---------------------------------------------------------------------------------------
# One tiny call per public function. Shipped data sets are loaded where a function needs a
# realistic table (they are small, and loading them proves the wheel carries them).

def _scores():
    return [10, 9, 9, 8, 7, 6, 3, 0, 10, 5]


def _did_both_ways():
    import cxlab
    from cxlab.data import load_team_panel

    panel = load_team_panel()
    with_unit = cxlab.diff_in_diff(panel, "nps", "arm", "period", treated="process fix", control="none", unit="team")
    without_unit = cxlab.diff_in_diff(panel, "nps", "arm", "period", treated="process fix", control="none")
    return with_unit, without_unit


def _compare_groups_every_way():
    import cxlab
    from cxlab.data import load_kidney_stones, load_teams

    stones, teams = load_kidney_stones(), load_teams()
    return (cxlab.compare_groups(stones, "success", "treatment"),                     # 0/1 outcome
            cxlab.compare_groups(stones, "success", "treatment", strata="stone_size"),
            cxlab.compare_groups(teams, "nps", "certificate"),                        # a mean outcome
            cxlab.compare_groups(teams, "nps", "certificate", strata="maturity"))


def _tiny_panel():
    import pandas as pd

    return pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 4, "t": [1, 2, 3, 4] * 2,
                         "ex": [1, 2, 3, 4, 2, 1, 4, 3], "cx": [0, 1, 2, 3, 4, 2, 1, 4]})


def _tiny_journey_table():
    import pandas as pd

    return pd.DataFrame({"name": ["apply", "approve"], "department": ["sales", "risk"],
                         "zone": ["front line", "back office"], "mean_days": [1.0, 3.0]})


def _items():
    """Four items of one scale: a common factor and noise, 60 respondents."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(5)
    common = rng.normal(size=60)
    return pd.DataFrame({f"q{i}": loading * common + rng.normal(size=60) for i, loading in enumerate([1.0, 0.8, 0.7, 0.6], 1)})


def _fit_sem_or_name_its_extra():
    """fit_sem where semopy is installed (the sem extra); elsewhere its error naming the extra."""
    from cxlab import paths
    from cxlab.io import MissingExtra

    model = "scale =~ q1 + q2 + q3\nscale ~ q4"
    if importlib.util.find_spec("semopy") is not None:
        return paths.fit_sem(_items(), model).fit
    try:
        paths.fit_sem(_items(), model)
    except MissingExtra as error:
        assert 'pip install "cxlab[sem]"' in str(error), error
        return str(error)
    raise AssertionError("fit_sem ran without semopy")


def _paths_exercise_or_name_its_extra():
    """The path-model exercise vets each variant with an SEM: it needs the sem extra, and says so without it."""
    from cxlab import data
    from cxlab.io import MissingExtra

    if importlib.util.find_spec("semopy") is not None:
        return data.exercise("paths", "practice-001").fingerprint
    try:
        data.exercise("paths", "practice-001")
    except MissingExtra as error:
        assert 'pip install "cxlab[sem]"' in str(error), error
        return str(error)
    raise AssertionError("the paths exercise was generated without semopy")


def _loyalty():
    from cxlab.data import load_loyalty_survey

    return load_loyalty_survey()


DRIVERS = ["advisor", "app", "waiting", "fees"]


def _calls():
    import io

    import numpy as np
    import pandas as pd

    import cxlab
    from cxlab import data, drivers, journey, linkage, metrics, opinions, paths, periods, selfstudy, value, voc

    survey = data.load_survey().head(200)
    staff = pd.DataFrame({"branch": ["A", "A", "B"], "quarter": ["Q1", "Q2", "Q1"], "enps": [10, 20, -5]})
    customers = pd.DataFrame({"branch": ["A", "B", "C"], "quarter": ["Q1", "Q1", "Q1"], "nps": [30, 25, 40]})
    teams = data.load_teams()

    calls = {
        # statistics, re-exported at the top level
        "cxlab.nps": lambda: cxlab.nps(_scores()),
        "cxlab.enps": lambda: cxlab.enps(_scores()),
        "cxlab.nps_from_counts": lambda: cxlab.nps_from_counts(50, 30, 20),
        "cxlab.nps_test": lambda: cxlab.nps_test(_scores(), [10, 10, 9, 7, 2, 8]),
        "cxlab.csat": lambda: cxlab.csat([5, 4, 4, 2, 1]),
        "cxlab.ces": lambda: cxlab.ces([7, 6, 5, 2]),
        "cxlab.segment_table": lambda: cxlab.segment_table(survey, "recommend", by="channel"),
        "cxlab.compare_groups": _compare_groups_every_way,
        "cxlab.adjusted_effect": lambda: cxlab.adjusted_effect(teams, "nps", "certificate", controls=["maturity"]),
        "cxlab.diff_in_diff": _did_both_ways,
        "cxlab.bootstrap_interval": lambda: cxlab.bootstrap_interval(
            pd.DataFrame({"x": np.arange(1.0, 21.0)}), lambda d: d["x"].mean(), n_resamples=200, seed=1),
        "cxlab.wilson_interval": lambda: cxlab.wilson_interval(3, 10),
        "cxlab.proportion": lambda: cxlab.proportion([True, False, True], weights=[1, 2, 1]),
        "cxlab.kish_design_effect": lambda: cxlab.kish_design_effect([1, 1, 2, 2]),
        "cxlab.effective_sample_size": lambda: cxlab.effective_sample_size([1, 1, 2, 2]),
        "cxlab.rake": lambda: cxlab.rake(data.load_health_opinions(), {"age_group": data.HEALTH_POPULATION_AGE,
                                                                       "use": data.HEALTH_POPULATION_USE}).to_frame(),
        "cxlab.opinions.measure_by_group": lambda: opinions.measure_by_group(
            data.load_health_opinions(), "dissatisfied", "use"),
        "cxlab.opinions.base_gap": lambda: opinions.base_gap(
            data.load_health_opinions(), "dissatisfied", "used_public", n_resamples=200, seed=1),
        "cxlab.opinions.headline_at_mix": lambda: opinions.headline_at_mix(55.0, 85.0, [0.2, 0.4]),
        # survey exports as they come
        "cxlab.read_survey": lambda: cxlab.read_survey(
            io.BytesIO("kanał;ocena\nczat;10 - tak\nRazem;7,4\n".encode("utf-8-sig")), scales={"ocena": (0, 10)}).report(),
        "cxlab.io.require_extra": lambda: cxlab.io.require_extra("json", "teams", "a call"),
        "cxlab.periods.period_order": lambda: periods.period_order(["Wave 10", "Wave 9"]).labels,
        "cxlab.periods.period_name": lambda: periods.period_name(10.0),
        "cxlab.cli.main": _command_help,
        "cxlab.stats.interval_coverage": lambda: cxlab.stats.interval_coverage(10, 0.5, 0.2),
        "cxlab.stats.coverage_table": lambda: cxlab.stats.coverage_table(sizes=[10], shares=[(0.5, 0.2)],
                                                                        n_samples=50, n_resamples=100, seed=1),
        # metrics
        "cxlab.nps_score": lambda: cxlab.nps_score(_scores()),
        "cxlab.set_language": lambda: (cxlab.set_language("pl"), cxlab.set_language("en")),
        "cxlab.language.set_language": lambda: cxlab.language.set_language("en"),
        "cxlab.language.language": lambda: cxlab.language.language(),
        "cxlab.language.say": lambda: cxlab.language.say("correct", "dobrze"),
        "cxlab.language.translate_message": lambda: cxlab.language.translate_message("x should be a number, not str", "pl"),
        "cxlab.nps_counts": lambda: cxlab.nps_counts(_scores()),
        "cxlab.csat_score": lambda: cxlab.csat_score([5, 4, 4, 2, 1]),
        "cxlab.ces_score": lambda: cxlab.ces_score([7, 6, 5, 2]),
        "cxlab.top_box": lambda: cxlab.top_box([5, 5, 4, 3]),
        "cxlab.bottom_box": lambda: cxlab.bottom_box([1, 2, 4, 5], bottom=2),
        "cxlab.nss": lambda: cxlab.nss(positive=60, negative=25, neutral=15),
        "cxlab.nss_from_labels": lambda: cxlab.nss_from_labels(["positive", "negative", "positive", None]),
        "cxlab.metrics.scale_counts": lambda: metrics.scale_counts([1, 5, 5, 3], low=1, high=5),
        # analyses
        "cxlab.drivers.driver_table": lambda: drivers.driver_table(_loyalty(), "recommend", DRIVERS),
        "cxlab.drivers.importance_performance": lambda: drivers.importance_performance(_loyalty(), "recommend", DRIVERS),
        "cxlab.drivers.relative_weights": lambda: drivers.relative_weights(_loyalty(), "recommend", DRIVERS),
        "cxlab.drivers.shapley_importance": lambda: drivers.shapley_importance(_loyalty(), "recommend", DRIVERS),
        "cxlab.drivers.scenario_effect": lambda: drivers.scenario_effect(_loyalty(), "recommend", DRIVERS, {"app": 0.5}),
        "cxlab.drivers.scenario_nps_gain": lambda: drivers.scenario_nps_gain(
            _loyalty(), "recommend", ["advisor", "complaints"], {"complaints": 1}),
        "cxlab.linkage.join_units": lambda: linkage.join_units(staff, customers).report(),
        "cxlab.linkage.lagged_correlation": lambda: linkage.lagged_correlation(_tiny_panel(), "ex", "cx", "unit", "t", lags=[0, 1]),
        "cxlab.paths.cronbach_alpha": lambda: paths.cronbach_alpha(_items()).confidence_interval(0.9),
        "cxlab.paths.mcdonald_omega": lambda: paths.mcdonald_omega(_items(), n_resamples=200, seed=1).to_frame(),
        "cxlab.paths.mediation": lambda: paths.mediation(_items(), x="q1", m="q2", y="q3", covariates=["q4"],
                                                         n_resamples=200, seed=1).to_frame(),
        "cxlab.paths.fit_sem": _fit_sem_or_name_its_extra,
        "cxlab.voc.action_curve": lambda: voc.action_curve(data.load_feedback_log()).share_acted_by(30),
        "cxlab.voc.share_acted_within": lambda: voc.share_acted_within(data.load_feedback_log(), 30),
        "cxlab.voc.nps_funnel": lambda: voc.nps_funnel(data.load_agent_surveys(), "agent").limits(100),
        "cxlab.voc.promise_gap": lambda: voc.promise_gap(data.load_hotline_waits(), "wait_minutes", 5, by="hour",
                                                         n_resamples=200, seed=1),
        "cxlab.voc.cumulative_value": lambda: voc.cumulative_value(
            data.load_launch_cashflows(), "customer", "month", "amount", [3, 24], n_resamples=200, seed=1),
        "cxlab.value.clv": lambda: value.clv(120, 0.8, 0.1, horizon=10),
        "cxlab.value.annuity": lambda: value.annuity(1000, 0.05, 10),
        "cxlab.value.initiative_return": lambda: value.initiative_return(
            1000, margin=100, retention=0.8, uplift=0.02, discount_rate=0.1, cost=5000).to_frame(),
        "cxlab.value.roi_simulation": lambda: value.roi_simulation(
            1000, margin=(80, 120), retention=0.8, uplift=(0.0, 0.04), discount_rate=0.1, cost=5000,
            n_draws=200, seed=1).top_driver,
        "cxlab.value.growth_multiple": lambda: value.growth_multiple(385),
        "cxlab.value.representation_funnel": lambda: value.representation_funnel([100, 10], [0.7, 0.3]),
        "cxlab.value.funnel_against_market": lambda: value.funnel_against_market([70, 3], [100, 10], [0.7, 0.3]),
        "cxlab.value.simulate_organisations": lambda: value.simulate_organisations(50, seed=1),
        "cxlab.journey.leasing_journey": journey.leasing_journey,
        "cxlab.journey.loan_journey": journey.loan_journey,
        "cxlab.journey.journey_from_table": lambda: journey.journey_from_table(_tiny_journey_table(), expected_days=5),
        "cxlab.journey.as_sequence": lambda: journey.as_sequence(journey.leasing_journey()),
        "cxlab.journey.expected_total_days": lambda: journey.expected_total_days(
            journey.journey_from_table(_tiny_journey_table(), expected_days=5)),
        "cxlab.journey.simulate": lambda: journey.simulate(journey.leasing_journey(), n_customers=500, seed=1),
        "cxlab.journey.outcome": lambda: journey.outcome(journey.simulate(journey.leasing_journey(), n_customers=500, seed=1)),
        "cxlab.journey.what_if": lambda: journey.what_if(
            journey.leasing_journey(), journey.leasing_journey().with_step("document check", mean_days=14),
            n_customers=2000, seed=1),
        "cxlab.journey.sensitivity": lambda: journey.sensitivity(journey.leasing_journey(), n_customers=1000, seed=1),
        "cxlab.journey.department_leverage": lambda: journey.department_leverage(
            journey.leasing_journey(), n_customers=1000, seed=1),
        # value checks for self-study
        "cxlab.selfstudy.make_digest": lambda: selfstudy.make_digest(4.15, salt="demo", decimals=2, name="nps"),
        "cxlab.selfstudy.check_hash": lambda: selfstudy.check_hash(
            4.15, selfstudy.make_digest(4.15, salt="demo", decimals=2), salt="demo", decimals=2).correct,
        # the practice pools shipped in the wheel
        "cxlab.selfstudy.check_practice": lambda: str(selfstudy.check_practice(
            "nps", "practice-001", {"nps_all": 0.0}, decimals={"nps_all": 2})),
        # data sets and their cards
        "cxlab.data.data_card": lambda: data.data_card("survey"),
        # every assignment's variant generator, as a learner's notebook calls it
        "cxlab.data.exercise": lambda: [data.exercise(name, "practice-001").fingerprint
                                        for name in ("nps", "certification", "ex-cx", "butterfly", "opinions", "voc",
                                                     "cx-role")] + [_paths_exercise_or_name_its_extra()],
        "cxlab.data.load_citizen_survey": data.load_citizen_survey,
        "cxlab.data.load_contact_costs": data.load_contact_costs,
        "cxlab.data.make_citizen_survey": data.make_citizen_survey,
        "cxlab.data.make_contact_costs": data.make_contact_costs,
        "cxlab.data.load_branch_outcomes": data.load_branch_outcomes,
        "cxlab.data.load_employee_survey": data.load_employee_survey,
        "cxlab.data.load_kidney_stones": data.load_kidney_stones,
        "cxlab.data.load_loyalty_survey": data.load_loyalty_survey,
        "cxlab.data.load_survey": data.load_survey,
        "cxlab.data.load_team_panel": data.load_team_panel,
        "cxlab.data.load_teams": data.load_teams,
        "cxlab.data.make_branch_outcomes": data.make_branch_outcomes,
        "cxlab.data.make_confounded": lambda: data.make_confounded(confounding=2.0, n_teams=60, seed=1),
        "cxlab.data.make_employee_survey": data.make_employee_survey,
        "cxlab.data.make_kidney_stones": data.make_kidney_stones,
        "cxlab.data.make_loyalty_survey": lambda: data.make_loyalty_survey(n=100),
        "cxlab.data.make_survey": lambda: data.make_survey(seed=1),
        "cxlab.data.make_team_panel": data.make_team_panel,
        "cxlab.data.make_teams": data.make_teams,
        "cxlab.data.load_feedback_log": data.load_feedback_log,
        "cxlab.data.load_agent_surveys": data.load_agent_surveys,
        "cxlab.data.load_hotline_waits": data.load_hotline_waits,
        "cxlab.data.load_launch_cashflows": data.load_launch_cashflows,
        "cxlab.data.make_feedback_log": data.make_feedback_log,
        "cxlab.data.make_agent_surveys": data.make_agent_surveys,
        "cxlab.data.make_hotline_waits": data.make_hotline_waits,
        "cxlab.data.make_launch_cashflows": data.make_launch_cashflows,
        "cxlab.data.load_health_opinions": data.load_health_opinions,
        "cxlab.data.make_health_opinions": data.make_health_opinions,
        "cxlab.data.load_brand_survey": data.load_brand_survey,
        "cxlab.data.make_brand_survey": data.make_brand_survey,
    }
    if importlib.util.find_spec("jinja2") is not None:
        calls.update(_report_calls())
    if importlib.util.find_spec("matplotlib") is not None:
        calls.update(_presentation_calls(teams))
    return calls


def _command_help():
    """``cxlab --help`` as the command prints it (argparse ends it with SystemExit)."""
    import contextlib
    import io

    from cxlab import cli

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.suppress(SystemExit):
        cli.main(["--help"])
    assert "survey-report" in printed.getvalue(), printed.getvalue()
    return printed.getvalue()


def _report_calls():
    import cxlab
    from cxlab import report

    return {
        "cxlab.report.survey_report": lambda: report.survey_report(
            cxlab.data.load_survey(), score="recommend", csat="satisfaction", segment="channel", period="quarter",
            drivers=["satisfaction", "effort"], lang="pl").html,
        "cxlab.report.format_number": lambda: report.format_number(-15.13, 1, "pl"),
        "cxlab.report.plural": lambda: report.plural(22, ["wiersz", "wiersze", "wierszy"], "pl"),
    }


def _presentation_calls(teams):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import cxlab
    from cxlab import drivers, journey, linkage, paths, plots, value, voc, widgets

    def drawn(make):
        def call():
            result = make()
            plt.close("all")
            return result
        return call

    lag_tables = lambda: {"pooled": linkage.lagged_correlation(_tiny_panel(), "ex", "cx", "unit", "t", lags=[-1, 0, 1])}
    return {
        "cxlab.plots.score_distribution": drawn(lambda: plots.score_distribution(_scores())),
        "cxlab.plots.segment_intervals": drawn(lambda: plots.segment_intervals(
            cxlab.segment_table(cxlab.data.load_survey(), "recommend", by="channel"))),
        "cxlab.plots.margin_of_error_curve": drawn(lambda: plots.margin_of_error_curve(shares=((0.4, 0.2),), n_max=500)),
        "cxlab.plots.use_course_style": lambda: plots.use_course_style(),
        "cxlab.plots.coverage_chart": drawn(lambda: plots.coverage_chart(cxlab.stats.coverage_table(
            sizes=[10, 20], shares=[(0.5, 0.2)], methods=["wald"]))[0]),
        "cxlab.plots.stratified_differences": drawn(lambda: plots.stratified_differences(
            cxlab.compare_groups(teams, "nps", "certificate", strata="maturity"))),
        "cxlab.plots.did_lines": drawn(lambda: plots.did_lines(_did_both_ways()[0])),
        "cxlab.plots.confounding_curve": drawn(lambda: plots.confounding_curve(strengths=[0.0, 3.0], n_teams=100, seed=0)),
        "cxlab.plots.journey_diagram": drawn(lambda: plots.journey_diagram(journey.leasing_journey())),
        "cxlab.plots.tornado": drawn(lambda: plots.tornado(journey.sensitivity(journey.leasing_journey(), n_customers=1000, seed=1))),
        "cxlab.plots.importance_performance_chart": drawn(lambda: plots.importance_performance_chart(
            drivers.importance_performance(_loyalty(), "recommend", DRIVERS))),
        "cxlab.plots.lag_profile": drawn(lambda: plots.lag_profile(lag_tables())),
        "cxlab.widgets.margin_of_error_explorer": drawn(lambda: widgets.margin_of_error_explorer(n=100)),
        "cxlab.widgets.passives_explorer": drawn(lambda: widgets.passives_explorer(promoters=40, passives=30, detractors=30)),
        "cxlab.widgets.confounding_explorer": drawn(lambda: widgets.confounding_explorer(n_teams=100)),
        "cxlab.widgets.journey_simulator": drawn(lambda: widgets.journey_simulator(n_customers=1000)),
        "cxlab.widgets.collinearity_explorer": drawn(lambda: widgets.collinearity_explorer(n=100)),
        "cxlab.widgets.gaming_explorer": drawn(lambda: widgets.gaming_explorer()),
        "cxlab.plots.action_curve_chart": drawn(lambda: plots.action_curve_chart(
            voc.action_curve(cxlab.data.load_feedback_log()), days=30)),
        "cxlab.plots.funnel_plot": drawn(lambda: plots.funnel_plot(voc.nps_funnel(cxlab.data.load_agent_surveys(), "agent"))),
        "cxlab.plots.promise_chart": drawn(lambda: plots.promise_chart(voc.promise_gap(
            cxlab.data.load_hotline_waits(), "wait_minutes", 5, by="hour", n_resamples=200, seed=1), 5)),
        "cxlab.plots.horizon_chart": drawn(lambda: plots.horizon_chart(voc.cumulative_value(
            cxlab.data.load_launch_cashflows(), "customer", "month", "amount", [3, 12, 24], n_resamples=200, seed=1))),
        "cxlab.widgets.headline_mix_explorer": drawn(lambda: widgets.headline_mix_explorer()),
        "cxlab.plots.roi_distribution": drawn(lambda: plots.roi_distribution(_roi_simulation(value))),
        "cxlab.plots.roi_tornado": drawn(lambda: plots.roi_tornado(_roi_simulation(value))),
        "cxlab.plots.representation_chart": drawn(lambda: plots.representation_chart(
            value.funnel_against_market([70, 3], [100, 10], [0.7, 0.3]))),
        "cxlab.widgets.roi_explorer": drawn(lambda: widgets.roi_explorer(n_draws=200)),
        "cxlab.widgets.mediation_explorer": drawn(lambda: widgets.mediation_explorer(n=300)),
        "cxlab.plots.path_diagram": drawn(lambda: plots.path_diagram(paths.fit_sem(_items(), "scale =~ q1 + q2 + q3\nscale ~ q4"))),
    }


def _roi_simulation(value):
    return value.roi_simulation(1000, margin=(80, 120), retention=0.8, uplift=(0.0, 0.02, 0.04), discount_rate=0.1,
                                cost=5000, n_draws=200, seed=1)


def find_problems(mode: str, *, run_calls: bool = True) -> list[str]:
    """Everything wrong with the installed package in this environment, as readable lines."""
    if mode not in EXTRAS_OF_MODE:
        raise ValueError(f"mode must be one of {sorted(EXTRAS_OF_MODE)}, not {mode!r}")
    problems = []

    unresolved = {top: sorted(where) for top, where in third_party_imports(mode).items()
                  if importlib.util.find_spec(top) is None}
    for top, where in sorted(unresolved.items()):
        problems.append(f"'{top}' is imported by {', '.join(where)} but not installed: declare it")
    for extra_only in ABSENT_IN_MODE[mode]:
        if importlib.util.find_spec(extra_only) is not None:
            problems.append(f"{extra_only} is installed in the {mode} environment: its dependencies pull it in")

    required = {}
    for module_name in public_modules(mode):
        required.update(public_functions(module_name))
    calls = _calls()
    called_objects = set()
    for qualified in calls:
        module_name, _, name = qualified.rpartition(".")
        try:
            called_objects.add(id(getattr(importlib.import_module(module_name), name)))
        except (ImportError, AttributeError):
            problems.append(f"CALLS names {qualified}, which does not exist (renamed or removed?)")
    for qualified in sorted(q for q, function in required.items() if id(function) not in called_objects):
        problems.append(f"{qualified} is public but has no call in tests/public_api_calls.py: add one")

    if run_calls:
        for qualified, call in calls.items():
            try:
                call()
            except Exception:
                problems.append(f"{qualified} failed:\n{traceback.format_exc()}")
            else:
                print(f"ok  {qualified}")
        unique = len({id(function) for function in required.values()})
        print(f"{len(calls)} calls for {unique} public functions of {', '.join(public_modules(mode))}")
    return problems


def main(mode: str) -> int:
    problems = find_problems(mode)
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "full"))
