"""A class for the similarity report: honest students each with their own code, and the
kinds of copying (and of innocent likeness) the report must tell apart.

Plain helpers, like :mod:`tests.course.submissions`: :func:`answer_cells` gives a
student's code per answer cell, :func:`notebook` types it into the student version.
"""

from __future__ import annotations

import copy

import nbformat

from .submissions import honest

# Each honest student's own way through the seven questions (q1 ... q7).
HONEST_CODE = {
    "h1": [
        'recommend_all = survey["recommend"].to_numpy()\npromoters = int((recommend_all >= 9).sum())\n'
        'passives = int(((recommend_all >= 7) & (recommend_all <= 8)).sum())\ndetractors = int((recommend_all <= 6).sum())',
        "nps_all = 100 * (promoters - detractors) / (promoters + passives + detractors)",
        'quarter_result = cxlab.nps(survey.loc[survey["quarter"] == INTERVAL_QUARTER, "recommend"], method="adjusted-wald")\n'
        "interval_low, interval_high = float(quarter_result.low), float(quarter_result.high)",
        'quarter_test = cxlab.nps_test(\n    survey.loc[survey["quarter"] == "2026-Q2", "recommend"],\n'
        '    survey.loc[survey["quarter"] == "2026-Q1", "recommend"],\n    method="adjusted-wald",\n)\n'
        "change = quarter_test.value\nchange_pvalue = quarter_test.pvalue\nchange_is_noise = bool(quarter_test.pvalue >= 0.05)",
        "channel_tests = {\n    channel: cxlab.nps_test(\n"
        "        survey.query(\"channel == @channel and quarter == '2026-Q2'\")[\"recommend\"],\n"
        "        survey.query(\"channel == @channel and quarter == '2026-Q1'\")[\"recommend\"],\n"
        '        method="adjusted-wald",\n    )\n    for channel in CHANNELS\n}\n'
        "changed_channels = [channel for channel, outcome in channel_tests.items() if outcome.pvalue < 0.05]\n"
        "biggest_fall = min(channel_tests, key=lambda channel: channel_tests[channel].value)",
        'planning_scores = survey.loc[survey["quarter"] == "2026-Q2", "recommend"]\n'
        "share_promoters = (planning_scores >= 9).mean()\nshare_detractors = (planning_scores <= 6).mean()\n"
        "spread = 100 * math.sqrt((share_promoters + share_detractors) - (share_promoters - share_detractors) ** 2)\n"
        "n_needed = math.ceil((1.959963984540054 * spread / MARGIN) ** 2)",
        'focus_q2 = survey[(survey["channel"] == FOCUS_CHANNEL) & (survey["quarter"] == "2026-Q2")]\n'
        'focus_csat = float(cxlab.csat(focus_q2["satisfaction"], scale=5, top=2).value)\n'
        'focus_ces_agree = float(cxlab.ces(focus_q2["effort"], scale=7).share_agree)\n'
        'focus_nss = float(cxlab.nss_from_labels(focus_q2["sentiment"]).value)',
    ],
    "h2": [
        'counts = survey["recommend"].value_counts()\npromoters = int(counts[counts.index >= 9].sum())\n'
        "passives = int(counts[(counts.index == 7) | (counts.index == 8)].sum())\n"
        "detractors = int(counts[counts.index < 7].sum())",
        "total = promoters + passives + detractors\nnps_all = (promoters / total - detractors / total) * 100",
        "in_quarter = survey[survey.quarter == INTERVAL_QUARTER]\n"
        'estimate = cxlab.nps(in_quarter.recommend, method="adjusted-wald")\nlow_high = estimate.confidence_interval()\n'
        "interval_low = float(low_high.low)\ninterval_high = float(low_high.high)",
        "second = survey[survey.quarter == \"2026-Q2\"].recommend\nfirst = survey[survey.quarter == \"2026-Q1\"].recommend\n"
        'test = cxlab.nps_test(second, first, method="adjusted-wald")\nchange, change_pvalue = test.value, test.pvalue\n'
        "change_is_noise = not (test.pvalue < 0.05)",
        "changed_channels = []\nfalls = {}\nfor name in CHANNELS:\n    rows = survey[survey.channel == name]\n"
        "    result = cxlab.nps_test(rows[rows.quarter == \"2026-Q2\"].recommend, rows[rows.quarter == \"2026-Q1\"].recommend,\n"
        '                            method="adjusted-wald")\n    falls[name] = result.value\n    if result.pvalue < 0.05:\n'
        "        changed_channels.append(name)\nbiggest_fall = sorted(falls, key=falls.get)[0]",
        "latest = survey[survey.quarter == \"2026-Q2\"].recommend.to_numpy()\np = np.mean(latest >= 9)\nd = np.mean(latest <= 6)\n"
        "sd = 100 * np.sqrt(p + d - (p - d) ** 2)\nn_needed = int(np.ceil((1.959963984540054 * sd / MARGIN) ** 2))",
        "rows = survey.query(\"channel == @FOCUS_CHANNEL and quarter == '2026-Q2'\")\n"
        "focus_csat = 100 * float((rows.satisfaction >= 4).mean())\n"
        "focus_ces_agree = 100 * float((rows.effort >= 5).mean())\n"
        "focus_nss = float(cxlab.nss_from_labels(rows.sentiment).value)",
    ],
    "h3": [
        "promoters = passives = detractors = 0\nfor score in survey[\"recommend\"]:\n    if score >= 9:\n"
        "        promoters += 1\n    elif score >= 7:\n        passives += 1\n    else:\n        detractors += 1",
        "def share(count):\n    return count / (promoters + passives + detractors)\n\n"
        "nps_all = 100 * (share(promoters) - share(detractors))",
        "x = survey.loc[survey[\"quarter\"] == INTERVAL_QUARTER, \"recommend\"]\n"
        "pp, dd = (x >= 9).mean(), (x <= 6).mean()\nse = math.sqrt((pp + dd - (pp - dd) ** 2) / len(x))\n"
        "interval_low = 100 * (pp - dd - 1.959963984540054 * se)\ninterval_high = 100 * (pp - dd + 1.959963984540054 * se)",
        "by_quarter = {quarter: frame[\"recommend\"] for quarter, frame in survey.groupby(\"quarter\")}\n"
        "outcome = cxlab.nps_test(by_quarter[\"2026-Q2\"], by_quarter[\"2026-Q1\"], method=\"wald\")\n"
        "change = float(outcome.value)\nchange_pvalue = float(outcome.pvalue)\nchange_is_noise = bool(change_pvalue >= 0.05)",
        "results = []\nfor ch, part in survey.groupby(\"channel\"):\n"
        "    res = cxlab.nps_test(part.loc[part.quarter == \"2026-Q2\", \"recommend\"],\n"
        "                         part.loc[part.quarter == \"2026-Q1\", \"recommend\"], method=\"wald\")\n"
        "    results.append((res.value, res.pvalue, ch))\n"
        "changed_channels = [ch for value, pvalue, ch in results if pvalue < 0.05]\nbiggest_fall = min(results)[2]",
        "q2_scores = survey[survey[\"quarter\"] == \"2026-Q2\"][\"recommend\"]\nshares = [(q2_scores >= 9).mean(), (q2_scores <= 6).mean()]\n"
        "variance = sum(shares) - (shares[0] - shares[1]) ** 2\n"
        "n_needed = math.ceil(1.959963984540054 ** 2 * 10_000 * variance / MARGIN ** 2)",
        "subset = survey.loc[(survey.channel == FOCUS_CHANNEL) & (survey.quarter == \"2026-Q2\")]\n"
        "focus_csat = cxlab.csat(subset.satisfaction, scale=5, top=2).value\n"
        "focus_ces_agree = cxlab.ces(subset.effort, scale=7).share_agree\n"
        "labels = subset.sentiment.dropna()\n"
        "focus_nss = 100 * ((labels == \"positive\").mean() - (labels == \"negative\").mean())",
    ],
    "h4": [
        "groups = pd.cut(survey[\"recommend\"], bins=[-1, 6, 8, 10], labels=[\"d\", \"pa\", \"pr\"]).value_counts()\n"
        "promoters, passives, detractors = int(groups[\"pr\"]), int(groups[\"pa\"]), int(groups[\"d\"])",
        "nps_all = float(cxlab.nps(survey[\"recommend\"]).value)",
        "import scipy.stats as st\nz = st.norm.ppf(0.975)\nsel = survey.query(\"quarter == @INTERVAL_QUARTER\").recommend\n"
        "pro, det = np.mean(sel > 8), np.mean(sel < 7)\nhalf = z * np.sqrt((pro + det - (pro - det) ** 2) / sel.size)\n"
        "interval_low, interval_high = 100 * (pro - det - half), 100 * (pro - det + half)",
        "def quarter_scores(q):\n    return survey.recommend[survey.quarter == q]\n\n"
        "comparison = cxlab.nps_test(quarter_scores(\"2026-Q2\"), quarter_scores(\"2026-Q1\"), method=\"wald\")\n"
        "change = comparison.value\nchange_pvalue = comparison.pvalue\nchange_is_noise = change_pvalue >= 0.05",
        "pivot = {c: cxlab.nps_test(survey.recommend[(survey.channel == c) & (survey.quarter == \"2026-Q2\")],\n"
        "                           survey.recommend[(survey.channel == c) & (survey.quarter == \"2026-Q1\")],\n"
        "                           method=\"wald\") for c in sorted(CHANNELS)}\n"
        "changed_channels = sorted(c for c in pivot if pivot[c].pvalue < 0.05)\n"
        "biggest_fall = pd.Series({c: t.value for c, t in pivot.items()}).idxmin()",
        "recent = survey.recommend[survey.quarter == \"2026-Q2\"]\nprop = recent.apply(lambda s: 1 if s >= 9 else (-1 if s <= 6 else 0))\n"
        "n_needed = math.ceil((1.959963984540054 * 100 * prop.std(ddof=0) / MARGIN) ** 2)",
        "mask = survey.channel.eq(FOCUS_CHANNEL) & survey.quarter.eq(\"2026-Q2\")\n"
        "focus_csat = survey.satisfaction[mask].ge(4).mean() * 100\nfocus_ces_agree = survey.effort[mask].ge(5).mean() * 100\n"
        "coded = survey.sentiment[mask].value_counts()\n"
        "focus_nss = 100 * (coded.get(\"positive\", 0) - coded.get(\"negative\", 0)) / coded.sum()",
    ],
}

# The study group's shared helpers (passed around as one cell), and each member's own use of them.
GROUP_HELPER = '''def nps_shares(scores):
    """Shares of promoters and detractors among valid scores, as fractions."""
    scores = pd.Series(scores).dropna().astype(int)
    promoter_share = float((scores >= 9).mean())
    detractor_share = float((scores <= 6).mean())
    return promoter_share, detractor_share


def wald_interval(scores, level=0.95):
    """NPS and its Wald interval in points, from the two shares."""
    from scipy.stats import norm
    promoter_share, detractor_share = nps_shares(scores)
    centre = promoter_share - detractor_share
    variance = promoter_share + detractor_share - centre ** 2
    margin = norm.ppf(0.5 + level / 2) * math.sqrt(variance / len(scores))
    return 100 * centre, 100 * (centre - margin), 100 * (centre + margin)


def quarter_of(frame, quarter, channel=None):
    """The recommend scores of one quarter, optionally of one channel only."""
    chosen = frame[frame["quarter"] == quarter]
    if channel is not None:
        chosen = chosen[chosen["channel"] == channel]
    return chosen["recommend"]
'''

GROUP_CODE = {
    "g1": [
        "levels = survey.recommend\npromoters = int(sum(levels >= 9))\npassives = int(sum((levels > 6) & (levels < 9)))\n"
        "detractors = int(sum(levels < 7))",
        "nps_all = 100.0 * (promoters - detractors) / len(survey)",
        "_, interval_low, interval_high = wald_interval(quarter_of(survey, INTERVAL_QUARTER))",
        "test_q = cxlab.nps_test(quarter_of(survey, \"2026-Q2\"), quarter_of(survey, \"2026-Q1\"), method=\"wald\")\n"
        "change, change_pvalue = float(test_q.value), float(test_q.pvalue)\nchange_is_noise = change_pvalue > 0.05",
        "tests_by_channel = [(cxlab.nps_test(quarter_of(survey, \"2026-Q2\", c), quarter_of(survey, \"2026-Q1\", c),\n"
        "                     method=\"wald\"), c) for c in CHANNELS]\n"
        "changed_channels = [c for t, c in tests_by_channel if t.pvalue < 0.05]\n"
        "biggest_fall = min(tests_by_channel, key=lambda pair: pair[0].value)[1]",
        "pro, det = nps_shares(quarter_of(survey, \"2026-Q2\"))\n"
        "n_needed = math.ceil((1.959963984540054 * 100 * math.sqrt(pro + det - (pro - det) ** 2) / MARGIN) ** 2)",
        "sub = survey[(survey.channel == FOCUS_CHANNEL) & (survey.quarter == \"2026-Q2\")]\n"
        "focus_csat = float(cxlab.csat(sub.satisfaction, scale=5, top=2).value)\n"
        "focus_ces_agree = float(cxlab.ces(sub.effort, scale=7).share_agree)\n"
        "focus_nss = float(cxlab.nss_from_labels(sub.sentiment).value)",
    ],
    "g2": [
        "tally = survey[\"recommend\"].apply(lambda r: \"P\" if r >= 9 else (\"D\" if r <= 6 else \"N\")).value_counts()\n"
        "promoters = int(tally.get(\"P\", 0))\npassives = int(tally.get(\"N\", 0))\ndetractors = int(tally.get(\"D\", 0))",
        "everyone = promoters + passives + detractors\nnps_all = promoters * 100 / everyone - detractors * 100 / everyone",
        "point, interval_low, interval_high = wald_interval(quarter_of(survey, INTERVAL_QUARTER), level=0.95)",
        "now, before = quarter_of(survey, \"2026-Q2\"), quarter_of(survey, \"2026-Q1\")\n"
        "difference = cxlab.nps_test(now, before, method=\"wald\")\nchange = difference.value\n"
        "change_pvalue = difference.pvalue\nchange_is_noise = bool(difference.pvalue >= 0.05)",
        "changed_channels, lowest = [], None\nfor c in CHANNELS:\n"
        "    t = cxlab.nps_test(quarter_of(survey, \"2026-Q2\", c), quarter_of(survey, \"2026-Q1\", c), method=\"wald\")\n"
        "    if t.pvalue < 0.05:\n        changed_channels.append(c)\n    if lowest is None or t.value < lowest[0]:\n"
        "        lowest = (t.value, c)\nbiggest_fall = lowest[1]",
        "a, b = nps_shares(quarter_of(survey, \"2026-Q2\"))\nz95 = 1.959963984540054\n"
        "n_needed = int(math.ceil(z95 ** 2 * (100 ** 2) * (a + b - (a - b) ** 2) / MARGIN ** 2))",
        "in_focus = survey.query(\"channel == @FOCUS_CHANNEL\").query(\"quarter == '2026-Q2'\")\n"
        "focus_csat = 100 * in_focus.satisfaction.isin([4, 5]).mean()\n"
        "focus_ces_agree = 100 * in_focus.effort.isin([5, 6, 7]).mean()\n"
        "focus_nss = cxlab.nss_from_labels(in_focus.sentiment).value",
    ],
    "g3": [
        "arr = np.array(survey[\"recommend\"])\npromoters = np.count_nonzero(arr >= 9)\n"
        "detractors = np.count_nonzero(arr <= 6)\npassives = arr.size - promoters - detractors",
        "nps_all = round(100 * (promoters - detractors) / (promoters + passives + detractors), 4)",
        "centre_value, interval_low, interval_high = wald_interval(quarter_of(survey, quarter=INTERVAL_QUARTER))",
        "result_change = cxlab.nps_test(quarter_of(survey, quarter=\"2026-Q2\"), quarter_of(survey, quarter=\"2026-Q1\"),\n"
        "                               method=\"wald\")\nchange = result_change.value\nchange_pvalue = result_change.pvalue\n"
        "change_is_noise = change_pvalue >= .05",
        "found = {}\nfor c in CHANNELS:\n    found[c] = cxlab.nps_test(quarter_of(survey, \"2026-Q2\", channel=c),\n"
        "                              quarter_of(survey, \"2026-Q1\", channel=c), method=\"wald\")\n"
        "changed_channels = [c for c in CHANNELS if found[c].pvalue < 0.05]\n"
        "biggest_fall = sorted(CHANNELS, key=lambda c: found[c].value)[0]",
        "share_p, share_d = nps_shares(quarter_of(survey, \"2026-Q2\"))\n"
        "sigma = 100 * (share_p + share_d - (share_p - share_d) ** 2) ** 0.5\n"
        "n_needed = math.ceil((1.959963984540054 * sigma / MARGIN) ** 2)",
        "f = survey[survey[\"channel\"].eq(FOCUS_CHANNEL)]\nf = f[f[\"quarter\"].eq(\"2026-Q2\")]\n"
        "focus_csat = cxlab.csat(f[\"satisfaction\"], scale=5, top=2).value\n"
        "focus_ces_agree = cxlab.ces(f[\"effort\"], scale=7).share_agree\n"
        "focus_nss = cxlab.nss_from_labels(f[\"sentiment\"]).value",
    ],
}

# Two students who wrote the shortest solutions independently: the short questions come out the same.
_SHORT = [
    "s = survey.recommend\npromoters, passives, detractors = int((s > 8).sum()), int(s.between(7, 8).sum()), int((s < 7).sum())",
    "nps_all = 100 * (promoters - detractors) / len(survey)",
]
LOOK_ALIKE_CODE = {
    "la1": _SHORT + [
        "r = cxlab.nps(survey[survey.quarter == INTERVAL_QUARTER].recommend, method=\"wald\")\n"
        "interval_low, interval_high = r.low, r.high",
        "t = cxlab.nps_test(survey[survey.quarter == \"2026-Q2\"].recommend, survey[survey.quarter == \"2026-Q1\"].recommend, "
        "method=\"wald\")\nchange, change_pvalue, change_is_noise = t.value, t.pvalue, t.pvalue >= 0.05",
        "v = {c: cxlab.nps_test(survey[(survey.channel == c) & (survey.quarter == \"2026-Q2\")].recommend, "
        "survey[(survey.channel == c) & (survey.quarter == \"2026-Q1\")].recommend, method=\"wald\") for c in CHANNELS}\n"
        "changed_channels = [c for c in v if v[c].pvalue < 0.05]\nbiggest_fall = min(v, key=lambda c: v[c].value)",
        "q = survey[survey.quarter == \"2026-Q2\"].recommend\np, d = (q > 8).mean(), (q < 7).mean()\n"
        "n_needed = math.ceil((1.96 * 100 * math.sqrt(p + d - (p - d) ** 2) / MARGIN) ** 2)",
        "f = survey[(survey.channel == FOCUS_CHANNEL) & (survey.quarter == \"2026-Q2\")]\n"
        "focus_csat, focus_ces_agree = 100 * (f.satisfaction >= 4).mean(), 100 * (f.effort >= 5).mean()\n"
        "focus_nss = cxlab.nss_from_labels(f.sentiment).value",
    ],
    "la2": _SHORT + [
        "interval_low, interval_high = cxlab.nps(survey.recommend[survey.quarter == INTERVAL_QUARTER], "
        "method=\"wald\").confidence_interval()",
        "result = cxlab.nps_test(*(survey.recommend[survey.quarter == x] for x in (\"2026-Q2\", \"2026-Q1\")), method=\"wald\")\n"
        "change = result.value\nchange_pvalue = result.pvalue\nchange_is_noise = bool(result.pvalue > 0.05)",
        "out = []\nfor c in CHANNELS:\n    part = survey[survey.channel == c]\n"
        "    out.append((cxlab.nps_test(part.recommend[part.quarter == \"2026-Q2\"], part.recommend[part.quarter == \"2026-Q1\"], "
        "method=\"wald\"), c))\nchanged_channels = [c for res, c in out if res.pvalue < 0.05]\n"
        "biggest_fall = min(out, key=lambda item: item[0].value)[1]",
        "q = survey[survey.quarter == \"2026-Q2\"].recommend\np, d = (q > 8).mean(), (q < 7).mean()\n"
        "n_needed = math.ceil((1.96 * 100 * math.sqrt(p + d - (p - d) ** 2) / MARGIN) ** 2)",
        "g = survey.query(\"channel == @FOCUS_CHANNEL and quarter == '2026-Q2'\")\n"
        "focus_csat = cxlab.csat(g.satisfaction, scale=5, top=2).value\nfocus_ces_agree = cxlab.ces(g.effort, scale=7).share_agree\n"
        "focus_nss = float(cxlab.nss_from_labels(g.sentiment).value)",
    ],
}

QUESTIONS = [f"q{number}_answer" for number in range(1, 8)]

WRITTEN = {
    "h1": "The overall score barely moved and the interval covers zero change, so the bonus rule would reward noise. "
          "Split by channel, one fell and one rose; I would report each channel with its interval.",
    "h2": "Our NPS change is inside the sampling error. Channels differ: the branch got worse, chat improved. A cut for "
          "all teams is unfair; show CSAT and effort next to the score.",
    "h3": "No real change overall (p-value above 0.05). One channel dropped significantly. Kupiec: NPS says nothing "
          "about what to fix, read the comments.",
    "h4": "Differences between quarters are noise at the overall level. Per-channel tests tell a different story, so "
          "the report needs intervals, p-values and the complementary metrics.",
}


def answer_cells(code: list[str]) -> dict[str, str]:
    return dict(zip(QUESTIONS, code))


def notebook(code: list[str], written: str | None = None):
    """The student version with ``code`` in the seven answer cells (and ``written`` as the written answer)."""
    replace = answer_cells(code)
    if written is not None:
        replace["q9_written"] = written
    return honest(replace)


def add_cell(nb, before: str, source: str, cell_id: str | None = None):
    """``nb`` with a code cell the student created, before the cell ``before``."""
    cell = nbformat.v4.new_code_cell(source)
    if cell_id:
        cell["id"] = cell_id
    index = next(i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == before)
    nb.cells.insert(index, cell)
    return nb


def renamed(code: list[str]) -> list[str]:
    """The same code with every variable of the student's own renamed (what a copier does first)."""
    names = {"recommend_all": "all_scores", "quarter_result": "res_quarter", "quarter_test": "qt",
             "channel_tests": "per_channel", "outcome": "o", "planning_scores": "q2_recs",
             "share_promoters": "sp", "share_detractors": "sd_", "spread": "std_points", "focus_q2": "focus_rows"}
    import re

    pattern = re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")
    # names inside query strings (@channel) are renamed too, as the copier must for the code to run
    return [pattern.sub(lambda match: names[match.group(1)], cell) for cell in code]


def copied_file(nb):
    """A deep copy of a notebook: a file handed from one student to another."""
    return nbformat.from_dict(copy.deepcopy(dict(nb)))
