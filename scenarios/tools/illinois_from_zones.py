#!/usr/bin/env python3
"""Writes the Illinois default scenario and its sensitivity ranges.

Run from the repository root:

    python3 scenarios/tools/illinois_from_zones.py            # scenarios/illinois.toml to stdout
    python3 scenarios/tools/illinois_from_zones.py --sensitivity  # plans/illinois_sensitivity.toml

Inputs (read-only, under ../shared/data/illinois/, sources in finer/SOURCES.md):
- zones.csv: which EMS Region each county belongs to, county areas;
- finer/il_county_pop_centers_2020.csv: 2020 population and centre of
  population of every county;
- finer/chicago_police_districts.csv: Chicago's 22 police districts (2020
  population, a representative point inside each, area);
- finer/cook_tract_pop_centers_2020.csv: Cook tracts, to place the four
  suburban Cook parts at the population-weighted centre of their tracts;
- finer/il_mh_facilities_samhsa2022.csv: candidate team bases.

The 9-8-8 contact centre's counsellors are not published: they are fitted
to IDHS's published in-state answer share (parameters.md; see COUNSELLORS).

Every figure that is not a published one is marked ASSUMPTION in the output.
The checks at the end of `build()` fail loudly if the data do not add up.
"""
import collections
import csv
import math
import sys

DATA = "../shared/data/illinois/"
FINER = DATA + "finer/"
TEAMS_STATEWIDE = 82  # Illinois DHS: 82 mobile crisis teams (Statewide Advisory Committee charter)
IL_POPULATION_2020 = 12_812_508  # 2020 census, = sum of the county file
COOK_POPULATION_2020 = 5_275_541

# Travel (see the scenario header): the square-root law of Kolesar and
# Walker (RAND R-1449), Larson and Odoni §3.7.2.
CIRCUITY = 1.3  # road / straight-line miles, middle of parameters.md's 1.2-1.4
WITHIN_ZONE = 0.5  # miles per sqrt(sq mi): ~0.38 sqrt(area) straight-line x 1.3
# Effective acceleration (miles per minute²) by cruising speed: see the header.
ACCELERATION = {30: 0.062, 45: 0.1, 55: 0.2}
# Contacts per 100,000 residents per month: the middle of IDHS's 90-120 988
# calls per 100k (105) over the 988 channel's share (0.75) = 140.
CALLS_PER_100K = 140

# The 9-8-8 contact centres (see the header's comment on them). Illinois
# answers 9-8-8 at six centres with a statewide backup; which EMS Regions
# each answers is not in shared/data, so ASSUMPTION: six centres of
# neighbouring regions, 1.1-3.2 million residents each.
CENTRES = {
    "988 Chicago": [11],
    "988 North suburbs": [9, 10],
    "988 West and south suburbs": [7, 8],
    "988 Northern Illinois": [1, 2],
    "988 Central Illinois": [3, 6],
    "988 Southern Illinois": [4, 5],
}
SHIFTS = {"night": ("00:00", "08:00"), "day": ("08:00", "16:00"), "evening": ("16:00", "24:00")}
# Counsellors are not published. Each centre's and shift's count follows the
# square-root staffing rule (Halfin and Whitt 1981; with abandonment Garnett,
# Mandelbaum and Reiman 2002): c = ceil(R + BETA sqrt(R)), R the offered load
# in erlangs (contacts per minute in the shift x mean talk minutes), at
# least 1. One BETA for every centre, fitted with `cessa-sim run -r 40` so
# that the statewide in-state answer share is about IDHS's published 92.5%
# (December 2024): see FIT. The rule keeps that service level when the load
# changes, so the sensitivity ranges of demand and talk time refit the
# counsellors with it instead of leaving the phones swamped or idle.
BETA = 1.2
FIT = "beta 1.2 gives 92.6% (40 replications; 1.1 gives 92.0%, 1.3 93.3%)"
IN_STATE_ANSWER_SHARE = 0.925  # IDHS, December 2024 (parameters.md)
TALK = (8, 20)  # ASSUMPTION: lognormal median, p90 minutes (the old 988 intake)
PATIENCE_MIN = 3  # ASSUMPTION: mean of an exponential patience
ROLLOVER_S = 90  # ASSUMPTION: seconds unanswered before the national backup
HANDOFF = (1, 3)  # ASSUMPTION: uniform minutes of a 9-1-1 or referral hand-off
CHANNEL_SHARES = {"988": 0.75, "911_transfer": 0.15, "referral": 0.10}
TALK_RANGE = {"low": (4, 10), "high": (16, 40)}  # halved / doubled, as the intake delay was
# x0.4 / x2.95: 10-74 mobile dispatches per 100k a month.
DEMAND_RANGE = {"low": 0.4, "high": 2.95}
COUNSELLOR_RANGE = (0.8, 1.2)  # every group's count, rounded half up, at least 1
PATIENCE_RANGE = (0.5, 2.0)  # the mean patience halved / doubled
Z90 = 1.2815515655446004  # the standard normal's 90th percentile
# The built-in "crisis" profile (sim/src/scenario/profile.rs): relative
# demand by hour of day, x1.1 on Saturday and Sunday.
CRISIS_DAY = [0.85, 0.75, 0.75, 0.75, 0.75, 0.75, 0.8, 0.9, 1.0, 1.0, 1.0, 1.05, 1.05, 1.1, 1.1, 1.1, 1.05,
              1.05, 1.15, 1.15, 1.15, 1.15, 1.1, 0.95]
CRISIS_WEEKEND = 1.1


def lognormal_mean(median, p90):
    return median * math.exp((math.log(p90 / median) / Z90) ** 2 / 2)


def shift_factor(start, end):
    """Mean demand in the shift's hours (every day) over the weekly mean."""
    h0, h1 = int(start[:2]), int(end[:2])
    week = [f * (CRISIS_WEEKEND if d >= 5 else 1.0) for d in range(7) for f in CRISIS_DAY]
    inside = [week[d * 24 + h] for d in range(7) for h in range(h0, h1)]
    return (sum(inside) / len(inside)) / (sum(week) / len(week))


def counsellors(pops, demand=1.0, talk=TALK, scale=1.0):
    """centre -> shift -> count by the square-root rule (scale: a factor on
    every count afterwards, rounded half up, at least 1)."""
    per_minute = CALLS_PER_100K / 100_000 / (365.25 / 12 * 24 * 60) * demand
    out = {}
    for centre, regions in CENTRES.items():
        pop = sum(pops[k] for k in regions)
        out[centre] = {}
        for shift, (start, end) in SHIFTS.items():
            load = pop * per_minute * shift_factor(start, end) * lognormal_mean(*talk)
            c = max(1, math.ceil(load + BETA * math.sqrt(load)))
            out[centre][shift] = max(1, math.floor(c * scale + 0.5))
    return out


# Suburban Cook: the four parts and the EMS Region each belongs to.
COOK_PARTS = [
    ("South suburban Cook", 7),
    ("West suburban Cook", 8),
    ("Northwest suburban Cook", 9),
    ("North suburban Cook", 10),
]


def cook_part(lat, lon):
    """ASSUMPTION: the suburban Cook part a point lies in. IDPH's Regions 7-10
    follow hospital EMS systems, not lines; this rule follows the usual
    reading: south of 41.78 N (87th Street's latitude) is South (Region 7),
    north of 41.97 N is North (Region 10) east of 87.85 W, Northwest (9) west
    of it; the rest (Oak Park to the DuPage line) is West (8)."""
    if lat < 41.78:
        return "South suburban Cook"
    if lat >= 41.97:
        return "North suburban Cook" if lon >= -87.85 else "Northwest suburban Cook"
    return "West suburban Cook"


def cruise_mph(region):
    """Cruising speed of a region. Teams drive without lights and sirens, so
    the statutory limits bound their speed (625 ILCS 5/11-601): 30 mph in
    urban districts (Chicago, Region 11), 55 mph outside them (Regions 1-6).
    ASSUMPTION: 45 mph for the suburban Regions 7-10 (posted arterials)."""
    if region == 11:
        return 30
    if region >= 7:
        return 45
    return 55


def great_circle_miles(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 3958.8 * math.asin(min(1.0, math.sqrt(h)))


def trip_minutes(miles, speed_mph):
    """The engine's travel model (sim/src/scenario/build/travel.rs, GeoTravel)."""
    v, a = speed_mph / 60.0, ACCELERATION[speed_mph]
    if miles <= v * v / a:
        return 2 * math.sqrt(miles / a)
    return v / a + miles / v


def route_minutes(a, b, speed):
    miles = CIRCUITY * great_circle_miles(a["point"], b["point"]) + WITHIN_ZONE * math.sqrt(b["area"])
    return trip_minutes(miles, speed)


def key(s):
    return s if s.replace("_", "").replace("-", "").isalnum() and " " not in s else '"%s"' % s


def num(x):
    return f"{x:.6f}".rstrip("0").rstrip(".")


def weighted_centre(points):
    """The Census Bureau's centre of population of (lat, lon, pop) points."""
    pop = sum(p for _, _, p in points)
    lat = sum(la * p for la, _, p in points) / pop
    wlon = [(lo, p * math.cos(math.radians(la))) for la, lo, p in points]
    lon = sum(lo * w for lo, w in wlon) / sum(w for _, w in wlon)
    return round(lat, 6), round(lon, 6)


def zones_by_region():
    """Zones of each region: dicts with name, pop, point, area, source."""
    region_of = {}
    area_of = {}
    suburban_area = {}
    for r in csv.DictReader(open(DATA + "zones.csv")):
        if r["fips"] == "17031":
            if r["zone"] != "City of Chicago":
                suburban_area[r["zone"]] = float(r["area_sqmi"])
            continue
        region_of[r["fips"]] = int(r["ems_region"])
        area_of[r["fips"]] = float(r["area_sqmi"])
    regions = collections.defaultdict(list)
    for r in csv.DictReader(open(FINER + "il_county_pop_centers_2020.csv")):
        if r["fips"] == "17031":
            continue
        regions[region_of[r["fips"]]].append(
            dict(
                name=r["county"],
                pop=int(r["population_2020"]),
                point=(float(r["pop_center_lat"]), float(r["pop_center_lon"])),
                area=area_of[r["fips"]],
                note="",
            )
        )
    # Suburban Cook: tracts outside every police district, by part.
    tracts = list(csv.DictReader(open(FINER + "cook_tract_pop_centers_2020.csv")))
    parts = collections.defaultdict(list)
    for t in tracts:
        if not t["cpd_district"] and int(t["population_2020"]) > 0:
            la, lo = float(t["pop_center_lat"]), float(t["pop_center_lon"])
            parts[cook_part(la, lo)].append((la, lo, int(t["population_2020"])))
    suburban_pop = sum(p for ps in parts.values() for _, _, p in ps)
    for name, region in COOK_PARTS:
        pop = sum(p for _, _, p in parts[name])
        regions[region].append(
            dict(
                name=name,
                pop=pop,
                point=weighted_centre(parts[name]),
                # ASSUMPTION: suburban Cook's land area, shared by population.
                area=round(sum(suburban_area.values()) * pop / suburban_pop, 1),
                note=f"ASSUMPTION: {len(parts[name])} tracts by the cook_part rule; area by population share",
            )
        )
    for r in csv.DictReader(open(FINER + "chicago_police_districts.csv")):
        regions[11].append(
            dict(
                name=f"Chicago District {int(r['dist_num'])}",
                pop=int(r["population_2020"]),
                point=(float(r["rep_lat"]), float(r["rep_lon"])),
                area=float(r["area_sqmi"]),
                note=f"CPD {r['dist_label']}; point: {r['rep_source'].replace('_', ' ')}",
            )
        )
    return dict(sorted(regions.items())), tracts


# The directory's candidate facilities that have neither a geocode nor a
# county: the zone of their city, by hand (each city lies in one county).
ZONE_OF_CITY = {
    "Chicago Heights": "South suburban Cook",
    "East Peoria": "Tazewell",
    "Franklin Park": "West suburban Cook",
    "Golconda": "Pope",
    "Hillsboro": "Montgomery",
    "Hines": "West suburban Cook",
    "Lawrenceville": "Lawrence",
    "Lombard": "DuPage",
    "Newton": "Jasper",
    "Paxton": "Ford",
    "Pekin": "Tazewell",
    "Pittsfield": "Pike",
    "Red Bud": "Randolph",
    "Waterloo": "Monroe",
}


def facilities_by_zone(regions, tracts):
    """Candidate bases (candidate_base = 1) by zone name. Cook facilities go to
    the zone of the nearest tract centre (police district or suburban part);
    those without a county to the zone of their city (ZONE_OF_CITY)."""
    zone_region = {z["name"]: k for k, zs in regions.items() for z in zs}
    out = collections.defaultdict(list)
    for f in csv.DictReader(open(FINER + "il_mh_facilities_samhsa2022.csv")):
        if f["candidate_base"] != "1":
            continue
        if not f["county"]:
            zone = ZONE_OF_CITY[f["city"].strip()]  # a new city fails loudly here
            out[zone].append(f["name"].strip())
            continue
        if f["county_fips"] == "17031":
            if not f["lat"]:
                continue
            p = (float(f["lat"]), float(f["lon"]))
            t = min(
                tracts,
                key=lambda t: great_circle_miles(p, (float(t["pop_center_lat"]), float(t["pop_center_lon"]))),
            )
            la, lo = float(t["pop_center_lat"]), float(t["pop_center_lon"])
            zone = f"Chicago District {int(t['cpd_district'])}" if t["cpd_district"] else cook_part(la, lo)
        else:
            zone = f["county"]
        assert zone in zone_region, zone
        out[zone].append(f["name"].strip())
    assert sum(len(v) for v in out.values()) >= 124, "every candidate facility but two ungeocoded Chicago ones"
    return out


def place_teams(zones, teams, facilities, speed):
    """Bases by a greedy p-median: candidate zones are those with a candidate
    facility or at least 100,000 residents (the directory is a survey, not a
    roster: Sangamon's providers, for one, are not flagged); each new base is the candidate
    that most lowers the population-weighted mean travel minutes to the
    nearest base, up to one base per team. Teams beyond the number of bases
    go, one at a time, to the base with the most residents per team among
    those nearest to it (D'Hondt). Returns {zone name: teams}, mean minutes."""
    cands = [z for z in zones if facilities.get(z["name"]) or z["pop"] >= 100_000] or list(zones)
    t = {(a["name"], b["name"]): route_minutes(a, b, speed) for a in zones for b in zones}
    pop = sum(z["pop"] for z in zones)

    def cost(bases):
        return sum(z["pop"] * min(t[b, z["name"]] for b in bases) for z in zones) / pop

    bases = []
    while len(bases) < min(teams, len(cands)):
        best = min((c["name"] for c in cands if c["name"] not in bases), key=lambda c: cost(bases + [c]))
        bases.append(best)
    served = collections.Counter()
    for z in zones:
        served[min(bases, key=lambda b: t[b, z["name"]])] += z["pop"]
    at = collections.Counter({b: 1 for b in bases})
    for _ in range(teams - len(bases)):
        b = max(bases, key=lambda b: served[b] / (at[b] + 1))
        at[b] += 1
    return at, cost(bases)


def build():
    regions, tracts = zones_by_region()
    facilities = facilities_by_zone(regions, tracts)
    pops = {k: sum(z["pop"] for z in v) for k, v in regions.items()}
    total = sum(pops.values())
    # Checks: the zones reproduce the source totals.
    assert total == IL_POPULATION_2020, total
    cook = sum(z["pop"] for zs in regions.values() for z in zs if "Cook" in z["name"] or "Chicago" in z["name"])
    assert cook == COOK_POPULATION_2020, cook
    assert len(regions[11]) == 22 and sum(len(v) for v in regions.values()) == 101 + 4 + 22
    # Teams in proportion to population, largest remainder, at least one each.
    quota = {k: TEAMS_STATEWIDE * p / total for k, p in pops.items()}
    teams = {k: max(1, int(q)) for k, q in quota.items()}
    for k in sorted(quota, key=lambda k: quota[k] - int(quota[k]), reverse=True):
        if sum(teams.values()) >= TEAMS_STATEWIDE:
            break
        teams[k] += 1
    assert sum(teams.values()) == TEAMS_STATEWIDE, teams
    placed = {}
    for k, zones in regions.items():
        area = sum(z["area"] for z in zones)
        speed = cruise_mph(k)
        at, minutes = place_teams(zones, teams[k], facilities, speed)
        names = {z["name"] for z in zones}
        assert set(at) <= names and sum(at.values()) == teams[k], (k, at)  # every base in its region
        assert teams[k] < 4 or len(at) >= 2, (k, at)
        placed[k] = (at, minutes, speed, area)
    return regions, facilities, pops, quota, teams, placed


def scenario():
    regions, facilities, pops, quota, teams, placed = build()
    out = [HEADER.replace("@CENTRES@", channels_and_centres(pops))]
    w = out.append
    for k, zones in regions.items():
        at, minutes, speed, area = placed[k]
        v = speed / 60.0
        w(f'\n[regions."Region {k}"]')
        w(f"# {len(zones)} zones, {pops[k]:,} residents (2020), {area:,.0f} sq mi, {pops[k] / area:,.0f} per sq mi.")
        w(f"population = {pops[k]}")
        w(f"calls_per_100k_per_month = {CALLS_PER_100K}  # see the header (range in the comment there)")
        w('profile = "crisis"  # ASSUMPTION: built-in profile, see README')
        w(
            f"travel = {{ speed_mph = {speed}, acceleration = {ACCELERATION[speed]}, circuity = {CIRCUITY}, "
            f'within_zone = {WITHIN_ZONE}, factor = {{ dist = "lognormal", mean = 1.0, sd = 0.25 }} }}'
        )
        w(
            f"# Cruising {speed} mph ({'625 ILCS 5/11-601' if speed != 45 else 'ASSUMPTION'}), reached after "
            f"{v * v / ACCELERATION[speed]:.1f} road miles: 10 road miles take {trip_minutes(10, speed):.0f} min, "
            f"40 take {trip_minutes(40, speed):.0f} min."
        )
        w(f"# {teams[k]} of the {TEAMS_STATEWIDE} statewide teams, in proportion to population (quota {quota[k]:.2f}).")
        w("# ASSUMPTION (a committee replaces it with its real providers): bases by a greedy")
        w("# p-median over the zones with a candidate facility (SAMHSA 2022 directory: CMHC,")
        w("# CCBHC or mobile crisis services) or 100,000+ residents, minimising")
        w("# population-weighted travel time to the nearest base;")
        w(f"# extra teams where each base serves the most residents. Mean trip from the nearest base: {minutes:.0f} min.")
        for z in zones:
            if at[z["name"]]:
                fs = facilities.get(z["name"], [])
                src = f"  # candidate facilities: {len(fs)}, e.g. {fs[0]}" if fs else "  # no candidate facility listed"
                w(f'teams.{key(z["name"])} = {{ count = {at[z["name"]]}, base = "{z["name"]}", shift = "24/7" }}{src}')
        w(f'\n[regions."Region {k}".zones]')
        w("# weight = residents (2020 census); lat/lon = centre of population (degrees); area in sq mi.")
        for z in zones:
            note = f"  # {z['note']}" if z["note"] else ""
            w(
                f'{key(z["name"])} = {{ weight = {z["pop"]}, lat = {num(z["point"][0])}, lon = {num(z["point"][1])}, '
                f'area_sqmi = {z["area"]} }}{note}'
            )
    return "\n".join(out) + "\n"


def sensitivity():
    regions, _, pops, _, _, placed = build()

    def counts(c):
        return [
            (f"'centres.\"{centre}\".counsellors.{shift}.count'", n)
            for centre, shifts in c.items()
            for shift, n in shifts.items()
        ]

    def table(name, note, sides):
        """An assumption with `low` and `high` tables of (path, value)."""
        w(f"[assumptions.{name}]")
        w(f'note = "{note}"')
        for side, pairs in sides.items():
            w(f"[assumptions.{name}.{side}]")
            for path, v in pairs:
                w(f"{path} = {num(v)}")
        w("")

    def total(c):
        return sum(sum(s.values()) for s in c.values())

    out = [SENSITIVITY_HEADER]
    w = out.append
    fitted = counsellors(pops)
    refit = f"counsellors refitted by the square-root rule (BETA {num(BETA)})"
    sides = {s: counsellors(pops, demand=f) for s, f in DEMAND_RANGE.items()}
    table(
        "demand",
        f"x{num(DEMAND_RANGE['low'])} / x{num(DEMAND_RANGE['high'])}: 10-74 mobile dispatches per 100k a month "
        f"(parameters.md; Crisis Now), {refit}: {total(sides['low'])} and {total(sides['high'])} "
        f"counsellor-shifts a day against {total(fitted)}",
        {s: [("demand_scale", DEMAND_RANGE[s])] + counts(c) for s, c in sides.items()},
    )
    sides = {s: counsellors(pops, scale=f) for s, f in zip(("low", "high"), COUNSELLOR_RANGE)}
    table(
        "counsellors",
        f"every counsellor group x{num(COUNSELLOR_RANGE[0])} / x{num(COUNSELLOR_RANGE[1])}, rounded, at least 1: "
        f"{total(sides['low'])} and {total(sides['high'])} counsellor-shifts a day against the {total(fitted)} "
        f"fitted to IDHS's {IN_STATE_ANSWER_SHARE:.1%} answered in state",
        {s: counts(c) for s, c in sides.items()},
    )
    sides = {s: counsellors(pops, talk=t) for s, t in TALK_RANGE.items()}
    table(
        '"talk time"',
        f"the phone assessment halved / doubled (median {TALK_RANGE['low'][0]} / {TALK_RANGE['high'][0]} min), "
        f"{refit}: {total(sides['low'])} and {total(sides['high'])} counsellor-shifts a day",
        {
            s: [("'centres.*.talk.median'", TALK_RANGE[s][0]), ("'centres.*.talk.p90'", TALK_RANGE[s][1])] + counts(c)
            for s, c in sides.items()
        },
    )
    table(
        "patience",
        f"mean patience halved / doubled ({num(PATIENCE_MIN * PATIENCE_RANGE[0])} / "
        f"{num(PATIENCE_MIN * PATIENCE_RANGE[1])} min), the counsellors as fitted",
        {s: [("'centres.*.patience.mean'", PATIENCE_MIN * f)] for s, f in zip(("low", "high"), PATIENCE_RANGE)},
    )
    w('[assumptions."cruising speed"]')
    w('note = "each region\'s cruising speed -20% / +20% (55 mph: 44 / 66)"')
    for side, f in (("low", 0.8), ("high", 1.2)):
        w(f'[assumptions."cruising speed".{side}]')
        for k in regions:
            w(f"'regions.\"Region {k}\".travel.speed_mph' = {num(placed[k][2] * f)}")
    w("")
    w('[assumptions."base placement"]')
    w('note = "the p-median bases (low) vs every team of a region at its most populous zone (high)"')
    w("[assumptions.\"base placement\".high]")
    for k, zones in regions.items():
        at = placed[k][0]
        top = max(zones, key=lambda z: z["pop"])["name"]
        for name in at:
            w(f"'regions.\"Region {k}\".teams.{key(name)}.base' = \"{top}\"")
    return "\n".join(out) + "\n"


def channels_and_centres(pops):
    """The entry channels and the six 9-8-8 contact centres, with the
    offered load the comment states."""
    contacts = IL_POPULATION_2020 * CALLS_PER_100K / 100_000
    talk_mean = lognormal_mean(*TALK)
    busy = contacts * talk_mean / (365.25 / 12 * 24 * 60)
    fitted = counsellors(pops)
    lo, hi = HANDOFF
    out = [
        "# Entry channels. ASSUMPTION: shares (no Illinois figures found); 9-1-1",
        "# transfers start 1 July 2027 (750/7.2). With the contact centres below, a",
        "# channel's `intake` is only the hand-off before a centre's queue; the",
        "# phone assessment is the centre's talk time.",
        '[channels."988"]',
        f'share = {CHANNEL_SHARES["988"]:.2f}               # dials 9-8-8: straight into the centre\'s queue',
        '[channels."911_transfer"]',
        f'share = {CHANNEL_SHARES["911_transfer"]:.2f}',
        f'intake = {{ dist = "uniform", low = {lo}, high = {hi} }}   # ASSUMPTION: minutes of the warm hand-off from 9-1-1',
        "priority_line = true       # ASSUMPTION: answered before the 9-8-8 queue",
        "[channels.referral]",
        f'share = {CHANNEL_SHARES["referral"]:.2f}',
        f'intake = {{ dist = "uniform", low = {lo}, high = {hi} }}   # ASSUMPTION: hand-off by police or other first responders',
        "",
        "# The 9-8-8 contact centres: every contact waits for a counsellor, who",
        "# assesses it (talk time) before triage settles it by phone or sends a",
        "# team; the maximum response time counts from the first ring. Illinois",
        "# answers 9-8-8 at six centres with a statewide backup; which EMS Regions",
        "# each answers is not in shared/data, so ASSUMPTION: six centres of",
        "# neighbouring regions (below), taking 9-8-8 calls, 9-1-1 transfers and",
        "# referrals alike; a call unanswered for a while rolls over to the",
        "# national backup, where no local team follows.",
        f"# Offered load: every contact, {contacts:,.0f} a month (9-8-8 itself {contacts * CHANNEL_SHARES['988']:,.0f},",
        "# within IDHS's 12,000-15,475 calls a month; 9-1-1 transfers",
        f"# {contacts * CHANNEL_SHARES['911_transfer']:,.0f} and referrals {contacts * CHANNEL_SHARES['referral']:,.0f}),"
        f" at a mean talk of {talk_mean:.1f} min:",
        f"# {busy:.1f} counsellors busy on average statewide.",
        "# Counsellors: CALIBRATED, not published. Each centre's and shift's count",
        "# is the square-root staffing rule c = ceil(R + beta sqrt(R)), R its offered",
        f"# load in erlangs, with one beta = {num(BETA)} fitted (`cessa-sim run -r 40`) so that",
        f"# the statewide in-state answer share is about IDHS's published {IN_STATE_ANSWER_SHARE:.1%}",
        f"# (December 2024; parameters.md): {FIT}. ASSUMPTION: three 8-hour",
        "# shifts every day; no callbacks (a caller who hangs up is lost).",
    ]
    for centre, regions in CENTRES.items():
        pop = sum(pops[k] for k in regions)
        out += [
            "",
            f'[centres."{centre}"]',
            f"# {', '.join(f'Region {k}' for k in regions)}: {pop:,} residents.",
            "regions = [" + ", ".join(f'"Region {k}"' for k in regions) + "]",
        ]
        for shift, (start, end) in SHIFTS.items():
            out.append(
                f'counsellors.{shift} = {{ count = {fitted[centre][shift]}, shift = {{ days = "all", start = "{start}", end = "{end}" }} }}'
            )
        out += [
            f'talk = {{ dist = "lognormal", median = {TALK[0]}, p90 = {TALK[1]} }}  '
            "# ASSUMPTION: minutes of phone assessment (was 9-8-8's intake)",
            f'patience = {{ dist = "exponential", mean = {PATIENCE_MIN} }}        '
            "# ASSUMPTION: minutes a caller waits before hanging up",
            'order = "first_come"                                 '
            "# ASSUMPTION: the call type is known only once answered",
            f'rollover = {{ after_s = {ROLLOVER_S}, to = "national" }}         '
            f"# ASSUMPTION: unanswered for {ROLLOVER_S} s",
        ]
    return "\n".join(out)


HEADER = f'''# The Illinois default scenario of cessa-sim.
#
# The 11 Illinois EMS Regions as 127 zones: 101 counties at their 2020 centre
# of population, suburban Cook in four parts (each at the population-weighted
# centre of its tracts) and the City of Chicago as its 22 police districts
# (Region 11), so the 754/50(3) monthly reports by police district come out
# for Chicago too. Generated by scenarios/tools/illinois_from_zones.py from
# shared/data/illinois/ (sources in finer/SOURCES.md); edit that script, or
# copy this file and edit the copy. `cessa-sim sensitivity` shows how far
# each assumption moves the answer (ranges in plans/illinois_sensitivity.toml).
#
# Every figure that is not a published one is marked ASSUMPTION. Sources are
# in shared/data/parameters.md. The committees set the maximum response times
# (754/50(2)); the presets here are 60 / 90 / 120 minutes.

name = "Illinois default (82 teams, 24/7, presets 60/90/120 min)"
description = "Statewide teams placed by population at candidate providers; what falls short is the finding."
demand_scale = 1.0     # multiply every region's demand (1.25 = +25%)
travel_scale = 1.0     # multiply every travel time
on_scene_scale = 1.0   # multiply every on-scene time

[run]
start_date = "2027-07-01"  # 9-1-1 / 9-8-8 coordination starts 1 July 2027 (754/65)
horizon_days = 365
warmup_days = 7            # excluded from statistics
replications = 200
seed = 2027

[dispatch]
policy = "predict"         # 754/30(a): 9-8-8 reports at once that it cannot dispatch in time
candidates = "any"         # also busy teams whose estimated arrival still meets the maximum
estimate = "expected"      # the dispatcher knows expected, not true, remaining times
after_call = "return_to_base"

@CENTRES@

# Demand: {CALLS_PER_100K} contacts per 100,000 residents per month, the central
# estimate from Illinois' own volume: IDHS's 988 calls run 90-120 per 100k a
# month; their middle (105) is the 988 channel's 75% share of all contacts.
# About 80% are resolved by phone (NAMI Chicago); with the triage below the
# mobile dispatches come to about 25 per 100k a month. The sourced range for
# mobile dispatches is wide: 10-75 per 100k (parameters.md), about 74 by the
# Crisis Now calculator (230 episodes x 32% mobile), about 130 in the Lane
# County records (a city service that also takes police referrals);
# `cessa-sim sensitivity` runs 0.4x-2.95x of this demand (10-74 per 100k),
# the 9-8-8 counsellors refitted to the published answer rate on each side.
#
# Call types (754/50(2) "types of emergency"). ASSUMPTION: shares and triage;
# on-scene time: police mental-health calls, median 43 minutes (UNB thesis);
# transport: NYC B-HEARD took 49-54% to hospital, Crisis Now 30% to a facility;
# backup: CAHOOTS 0.6%.
[call_types.urgent]
share = 0.25
priority = 1
max_response_min = 60
triage = {{ phone = 0.55, mobile = 0.30, police = 0.12, ems = 0.03 }}
on_scene = {{ dist = "lognormal", median = 43, p90 = 120 }}
transport = {{ share = 0.35, time = {{ dist = "lognormal", median = 45, p90 = 90 }} }}
backup_share = 0.006
petition_share = 0.08      # ASSUMPTION

[call_types.emergent]
share = 0.45
priority = 2
max_response_min = 90      # Illinois CARES / SASS standard: 90 minutes from call to arrival
triage = {{ phone = 0.80, mobile = 0.18, police = 0.01, ems = 0.01 }}
on_scene = {{ dist = "lognormal", median = 40, p90 = 100 }}
transport = {{ share = 0.20, time = {{ dist = "lognormal", median = 45, p90 = 90 }} }}
backup_share = 0.003
petition_share = 0.02      # ASSUMPTION

[call_types.routine]
share = 0.30
priority = 3
max_response_min = 120
triage = {{ phone = 0.92, mobile = 0.08 }}
on_scene = {{ dist = "lognormal", median = 35, p90 = 80 }}
transport = {{ share = 0.10, time = {{ dist = "lognormal", median = 40, p90 = 80 }} }}

# Regions. Travel: road miles = {CIRCUITY} x straight-line miles between the zones'
# points (parameters.md: 1.2-1.4) + {WITHIN_ZONE} x sqrt(destination area) (a point
# of a round zone lies on average 0.38 sqrt(area) from its centre, x 1.3),
# driven by the square-root law of Kolesar and Walker (RAND R-1449, 1974;
# Larson and Odoni, Urban Operations Research, 3.7.2): 2 sqrt(d/a) minutes
# until the cruising speed v is reached, then v/a + d/v, so short trips are
# slow (streets, lights, turns) and long ones near highway speed. The cruising
# speeds are the statutory limits teams without lights and sirens keep to
# (625 ILCS 5/11-601: 55 mph outside, 30 mph inside urban districts; 45 mph in
# the suburbs is an ASSUMPTION). The effective acceleration a (miles/min²)
# stands for everything that slows the start and end of a trip. In Chicago
# a = {ACCELERATION[30]} makes typical urban trips take what real records show:
# 1.6 road miles (ASSUMPTION: an ambulance's typical trip) take 10 minutes,
# the median of NYC EMS psychiatric calls, January 2013 (p90 20), and 3.5
# miles (ASSUMPTION: a van across a 44 sq mi city) take 15, the median of
# Lane County's mobile crisis teams in Eugene (p90 28). The records have
# times, not distances; the README compares them. ASSUMPTION: a = {ACCELERATION[45]} in the suburbs and
# {ACCELERATION[55]} in rural regions (fewer lights: the start-up costs v/a = 7.5 and 4.6
# minutes instead of 8). Each trip is the mean times a random factor
# (mean 1, sd 0.25; ASSUMPTION).'''

SENSITIVITY_HEADER = '''# How far each assumption of the Illinois default moves the answer:
# `cessa-sim sensitivity` runs the scenario once as it is and once at each
# assumption's low and high value (common random numbers), the others as given.
# Generated by scenarios/tools/illinois_from_zones.py --sensitivity;
# `cessa-sim sensitivity` uses it for the embedded default.
#
# Either `path = [low, high]` for one value, or an [assumptions.NAME] table
# with `low` and/or `high` tables of `path = value` (a missing side = as
# given). A `*` segment stands for every key at that level.


[assumptions."on-scene time"]
note = "x0.75 / x1.5: on-scene median 32-65 min (UNB thesis: median 43, wide spread)"
low = { on_scene_scale = 0.75 }
high = { on_scene_scale = 1.5 }

[assumptions.circuity]
note = "road / straight-line miles 1.2 / 1.4 (parameters.md)"
low = { "regions.*.travel.circuity" = 1.2 }
high = { "regions.*.travel.circuity" = 1.4 }

[assumptions."mobile share of triage"]
note = "the mobile share of each call type x0.67 / x1.33, the phone share taking the rest"
low = { "call_types.urgent.triage.mobile" = 0.20, "call_types.urgent.triage.phone" = 0.65, "call_types.emergent.triage.mobile" = 0.12, "call_types.emergent.triage.phone" = 0.86, "call_types.routine.triage.mobile" = 0.053, "call_types.routine.triage.phone" = 0.947 }
high = { "call_types.urgent.triage.mobile" = 0.40, "call_types.urgent.triage.phone" = 0.45, "call_types.emergent.triage.mobile" = 0.24, "call_types.emergent.triage.phone" = 0.74, "call_types.routine.triage.mobile" = 0.107, "call_types.routine.triage.phone" = 0.893 }
'''

if __name__ == "__main__":
    sys.stdout.write(sensitivity() if "--sensitivity" in sys.argv[1:] else scenario())
