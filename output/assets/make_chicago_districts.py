#!/usr/bin/env python3
"""Writes output/assets/chicago_police_districts.geojson (the report's map of
Chicago's 22 police districts) from the City of Chicago's district layer in
shared/data/illinois/finer/raw/ (source and terms: finer/SOURCES.md §3).

Run from the repository root:
    python3 output/assets/make_chicago_districts.py > output/assets/chicago_police_districts.geojson

Drops the three "31ST" features (outside the city), rounds coordinates to 4
decimals (about 10 m) and simplifies each ring (Douglas-Peucker, 0.0004°,
about 40 m), enough for a map a few hundred pixels wide.
"""
import json
import sys

RAW = "../shared/data/illinois/finer/raw/cpd_districts_PoliceDistrictDec2012.geojson"
TOL = 0.0004


def dp(pts, tol):
    if len(pts) < 3:
        return pts
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    dx, dy = x1 - x0, y1 - y0
    norm = (dx * dx + dy * dy) ** 0.5
    best, idx = -1.0, 0
    for i in range(1, len(pts) - 1):
        x, y = pts[i]
        d = abs(dy * (x - x0) - dx * (y - y0)) / norm if norm else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5
        if d > best:
            best, idx = d, i
    if best <= tol:
        return [pts[0], pts[-1]]
    return dp(pts[: idx + 1], tol)[:-1] + dp(pts[idx:], tol)


def ring(r):
    pts = []
    for x, y in r:
        p = [round(x, 4), round(y, 4)]
        if not pts or pts[-1] != p:
            pts.append(p)
    out = dp(pts, TOL)
    return out if len(out) >= 4 else pts


def main():
    g = json.load(open(RAW))
    feats = []
    for f in sorted(g["features"], key=lambda f: int(f["properties"]["dist_num"])):
        if f["properties"]["dist_num"] == "31":
            continue
        geom = f["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        polys = [[ring(r) for r in p] for p in polys]
        feats.append(
            {
                "type": "Feature",
                "properties": {"dist_num": int(f["properties"]["dist_num"]), "dist_label": f["properties"]["dist_label"]},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            }
        )
    assert len(feats) == 22, len(feats)
    json.dump({"type": "FeatureCollection", "features": feats}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
