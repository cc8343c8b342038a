//! The charts of the report, each drawn by one function generic over the
//! plotters backend, so the same code makes the inline SVG and the PNG
//! (with the `png` feature).

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a chart's drawing can fail with (a plotters error, as text).
pub type DrawResult = Result<(), String>;

macro_rules! t {
    ($e:expr) => {
        $e.map_err(|e| e.to_string())?
    };
}

/// A colour on the viridis scale for `x` in 0..=1 (colour-blind safe).
pub fn viridis(x: f64) -> RGBColor {
    let x = if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.0 };
    ViridisRGB.get_color(x as f32)
}

/// The font family of every text. The SVG only names it (the browser picks
/// the face). With the `png` feature plotters finds it through fontconfig,
/// to draw the PNG and to measure text for the layout; without it, plotters
/// estimates text sizes and needs no font file.
const FONT: &str = "sans-serif";

/// The label of category `i` when `x` is the integer `i`, else nothing.
fn label_at(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Draws the series labels in a framed, nearly opaque box at `pos`.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    pos: SeriesLabelPosition,
) -> DrawResult {
    t!(chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw());
    Ok(())
}

/// Mid grey for missing values.
const NA: RGBColor = RGBColor(200, 200, 200);

/// A closed ring of (longitude, latitude) points, degrees.
pub type Ring = Vec<(f64, f64)>;
/// An area to colour: its rings and its value (none: no data).
pub type Area = (Vec<Ring>, Option<f64>);
/// A point with its interval: (x, mean, low, high).
pub type Band = (f64, f64, f64, f64);

/// Something that can be drawn on any backend.
pub trait Chart {
    /// Draws the chart on the whole area.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// One bar per category with a 95% CI whisker; the bar coloured by value.
pub struct Bars {
    /// Y axis label.
    pub y_label: String,
    /// (label, mean, low, high), values in percent.
    pub bars: Vec<(String, f64, f64, f64)>,
    /// A horizontal reference line (e.g. the target), percent.
    pub reference: Option<(String, f64)>,
}

impl Chart for Bars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let top = self
            .bars
            .iter()
            .map(|b| b.3.max(b.1))
            .chain(self.reference.iter().map(|r| r.1))
            .filter(|x| x.is_finite())
            .fold(1.0, f64::max)
            * 1.1;
        let n = self.bars.len();
        let mut chart = t!(ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(60)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..top));
        let labels: Vec<String> = self.bars.iter().map(|b| b.0.clone()).collect();
        t!(chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.max(1))
            .x_label_formatter(&|x| label_at(&labels, *x))
            .x_label_style((FONT, 13).into_font().transform(FontTransform::Rotate90))
            .y_desc(self.y_label.as_str())
            .label_style((FONT, 14))
            .draw());
        for (i, (_, mean, lo, hi)) in self.bars.iter().enumerate() {
            let x = i as f64 - 0.5;
            let color = if mean.is_finite() { viridis(mean / top) } else { NA };
            t!(chart.draw_series(std::iter::once(Rectangle::new(
                [(x + 0.15, 0.0), (x + 0.85, mean.max(0.0))],
                color.filled()
            ))));
            if lo.is_finite() && hi.is_finite() {
                t!(chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x + 0.5, *lo), (x + 0.5, *hi)],
                    BLACK.stroke_width(2)
                ))));
                for y in [lo, hi] {
                    t!(chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x + 0.35, *y), (x + 0.65, *y)],
                        BLACK.stroke_width(2)
                    ))));
                }
            }
        }
        if let Some((name, y)) = &self.reference {
            t!(chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(-0.5, *y), (n as f64 - 0.5, *y)],
                    RED.stroke_width(2)
                )))
                .map(|s| s
                    .label(name.as_str())
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)))));
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        t!(root.present());
        Ok(())
    }
}

/// Polygons in longitude/latitude, filled by value, with a colour bar.
pub struct Map {
    /// Each area: its rings and its value (percent) or none.
    pub areas: Vec<Area>,
    /// Lines drawn on top, thick (e.g. region borders).
    pub outlines: Vec<Ring>,
    /// Names drawn at (longitude, latitude).
    pub labels: Vec<(String, (f64, f64))>,
    /// Top of the colour scale, percent.
    pub max: f64,
    /// Colour bar label.
    pub label: String,
}

impl Chart for Map {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let pts = self.areas.iter().flat_map(|a| a.0.iter().flatten());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in pts {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let (w, h) = root.dim_in_pixel();
        let (map_area, bar_area) = root.split_horizontally(w.saturating_sub(110));
        // Keep the shape: a degree of longitude is cos(latitude) of a degree of latitude.
        let aspect = ((y0 + y1) / 2.0).to_radians().cos();
        let (mw, mh) = (f64::from(w.saturating_sub(130)), f64::from(h.saturating_sub(20)));
        let scale = (mw / ((x1 - x0) * aspect)).min(mh / (y1 - y0));
        let pad_x = (mw - (x1 - x0) * aspect * scale) / 2.0 / (aspect * scale);
        let pad_y = (mh - (y1 - y0) * scale) / 2.0 / scale;
        let mut chart = t!(ChartBuilder::on(&map_area)
            .margin(10)
            .build_cartesian_2d((x0 - pad_x)..(x1 + pad_x), (y0 - pad_y)..(y1 + pad_y)));
        for (rings, value) in &self.areas {
            let color = value.map_or(NA, |v| viridis(v / self.max));
            for ring in rings {
                t!(chart.draw_series(std::iter::once(Polygon::new(ring.clone(), color.filled()))));
                t!(chart.draw_series(std::iter::once(PathElement::new(
                    ring.clone(),
                    WHITE.stroke_width(1)
                ))));
            }
        }
        for line in &self.outlines {
            t!(chart.draw_series(std::iter::once(PathElement::new(
                line.clone(),
                BLACK.stroke_width(2)
            ))));
        }
        for (text, at) in &self.labels {
            let style = TextStyle::from((FONT, 15).into_font().style(FontStyle::Bold))
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            // A white halo keeps the name readable on any colour.
            for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let halo = style.color(&WHITE);
                let (x, y) = chart.backend_coord(at);
                t!(root.draw_text(text, &halo, (x + dx, y + dy)));
            }
            let (x, y) = chart.backend_coord(at);
            t!(root.draw_text(text, &style, (x, y)));
        }
        colour_bar(&bar_area, self.max, &self.label)?;
        t!(root.present());
        Ok(())
    }
}

fn colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, max: f64, label: &str) -> DrawResult {
    let mut bar = t!(ChartBuilder::on(area)
        .margin_top(20)
        .margin_bottom(20)
        .margin_right(55)
        .y_label_area_size(0)
        .right_y_label_area_size(45)
        .build_cartesian_2d(0f64..1.0, 0f64..max));
    t!(bar
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(label)
        .label_style((FONT, 13))
        .draw());
    let steps = 50;
    for i in 0..steps {
        let (a, b) = (max * i as f64 / steps as f64, max * (i + 1) as f64 / steps as f64);
        t!(bar.draw_series(std::iter::once(Rectangle::new(
            [(0.0, a), (1.0, b)],
            viridis((a + b) / 2.0 / max).filled()
        ))));
    }
    Ok(())
}

/// The cumulative distribution of response times, with the maxima marked.
pub struct Cdf {
    /// Pooled histogram in 0.5-minute bins.
    pub hist: Vec<u64>,
    /// (call type, maximum minutes).
    pub maxima: Vec<(String, f64)>,
}

impl Chart for Cdf {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let total: u64 = self.hist.iter().sum();
        let mut pts = vec![(0.0, 0.0)];
        let mut cum = 0u64;
        for (i, c) in self.hist.iter().enumerate() {
            cum += c;
            pts.push((
                (i + 1) as f64 * 0.5,
                if total > 0 { cum as f64 / total as f64 } else { 0.0 },
            ));
        }
        let p99 = pts.iter().find(|p| p.1 >= 0.99).map_or(180.0, |p| p.0);
        let xmax = self.maxima.iter().map(|m| m.1).fold(p99, f64::max).max(60.0) * 1.05;
        let mut chart = t!(ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..xmax, 0f64..100.0));
        t!(chart
            .configure_mesh()
            .x_desc("response time, minutes from first contact to arrival")
            .y_desc("% of reached calls at or below")
            .label_style((FONT, 14))
            .draw());
        t!(chart
            .draw_series(LineSeries::new(
                pts.iter().map(|&(x, y)| (x.min(xmax), 100.0 * y)),
                viridis(0.25).stroke_width(3)
            ))
            .map(|s| s.label("reached calls").legend(|(x, y)| PathElement::new(
                vec![(x, y), (x + 20, y)],
                viridis(0.25).stroke_width(3)
            ))));
        for (i, (name, m)) in self.maxima.iter().enumerate() {
            let color = viridis(0.55 + 0.35 * i as f64 / self.maxima.len().max(1) as f64);
            let style = color.stroke_width(2);
            t!(chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*m, 0.0), (*m, 100.0)],
                    style
                )))
                .map(|s| s
                    .label(format!("maximum, {name}: {m} min"))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style))));
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        t!(root.present());
        Ok(())
    }
}

/// A 7 x 24 heat map of a share (percent), Monday first.
pub struct Heatmap {
    /// values[day][hour], percent (NaN when undefined).
    pub values: Vec<[f64; 24]>,
    /// Top of the colour scale, percent.
    pub max: f64,
    /// Colour bar label.
    pub label: String,
}

impl Chart for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let (w, _) = root.dim_in_pixel();
        let (grid, bar) = root.split_horizontally(w.saturating_sub(110));
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let mut chart = t!(ChartBuilder::on(&grid)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(45)
            .build_cartesian_2d(0f64..24.0, -0.5f64..6.5));
        // Rows from the top: Monday at y = 6, Sunday at y = 0.
        let names: Vec<String> = DAYS.iter().rev().map(|d| d.to_string()).collect();
        t!(chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(13)
            .x_label_formatter(&|x| format!("{:02}:00", *x as u32))
            .y_labels(7)
            .y_label_formatter(&|y| label_at(&names, *y))
            .x_desc("hour of day")
            .label_style((FONT, 13))
            .draw());
        for (d, row) in self.values.iter().enumerate() {
            for (h, v) in row.iter().enumerate() {
                let color = if v.is_finite() { viridis(v / self.max) } else { NA };
                let y = 6.0 - d as f64;
                t!(chart.draw_series(std::iter::once(Rectangle::new(
                    [(h as f64, y - 0.5), (h as f64 + 1.0, y + 0.5)],
                    color.filled()
                ))));
            }
        }
        colour_bar(&bar, self.max, &self.label)?;
        t!(root.present());
        Ok(())
    }
}

/// A line with a band (e.g. a 95% CI) for each series, over x.
pub struct Lines {
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// (series name, points (x, mean, low, high)).
    pub series: Vec<(String, Vec<Band>)>,
    /// Draw points as markers only (a scatter), not joined.
    pub scatter: bool,
}

impl Chart for Lines {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let all = self.series.iter().flat_map(|s| s.1.iter());
        let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0f64);
        for &(x, m, _, hi) in all {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y1 = y1.max(if hi.is_finite() { hi } else { m });
        }
        if x0 >= x1 {
            x0 -= 1.0;
            x1 += 1.0;
        }
        let pad = (x1 - x0) * 0.03;
        let mut chart = t!(ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d((x0 - pad)..(x1 + pad), 0f64..(y1 * 1.35).max(1e-9)));
        t!(chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style((FONT, 14))
            .draw());
        let n = self.series.len().max(1);
        for (i, (name, pts)) in self.series.iter().enumerate() {
            let color = viridis(0.9 * i as f64 / (n.max(2) - 1) as f64);
            let band: Vec<(f64, f64)> = pts
                .iter()
                .map(|p| (p.0, p.2))
                .chain(pts.iter().rev().map(|p| (p.0, p.3)))
                .filter(|p| p.1.is_finite())
                .collect();
            if !self.scatter && band.len() > 2 {
                t!(chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.2).filled()))));
            }
            if self.scatter {
                for &(x, _, lo, hi) in pts {
                    if lo.is_finite() && hi.is_finite() {
                        t!(chart.draw_series(std::iter::once(PathElement::new(
                            vec![(x, lo), (x, hi)],
                            color.stroke_width(2)
                        ))));
                    }
                }
                t!(chart
                    .draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 5, color.filled())))
                    .map(|s| s.label(name.as_str()).legend(move |(x, y)| Circle::new(
                        (x + 10, y),
                        5,
                        color.filled()
                    ))));
            } else {
                t!(chart
                    .draw_series(
                        LineSeries::new(pts.iter().map(|p| (p.0, p.1)), color.stroke_width(3)).point_size(4)
                    )
                    .map(|s| s.label(name.as_str()).legend(move |(x, y)| PathElement::new(
                        vec![(x, y), (x + 20, y)],
                        color.stroke_width(3)
                    ))));
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        t!(root.present());
        Ok(())
    }
}

/// Stacked horizontal bars of shares (percent) per category.
pub struct Stacked {
    /// Names of the parts, in stacking order.
    pub parts: Vec<String>,
    /// (category, shares in percent, one per part).
    pub rows: Vec<(String, Vec<f64>)>,
}

impl Chart for Stacked {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let n = self.rows.len();
        // The legend gets its own strip on the right, so it covers no bar.
        let (w, _) = root.dim_in_pixel();
        let (plot, legend) = root.split_horizontally(w.saturating_sub(180));
        let k = self.parts.len().max(2);
        for (p, part) in self.parts.iter().enumerate() {
            let color = viridis(p as f64 / (k - 1) as f64 * 0.95);
            let y = 20 + 24 * p as i32;
            t!(legend.draw(&Rectangle::new([(10, y), (24, y + 14)], color.filled())));
            t!(legend.draw(&Text::new(part.clone(), (30, y), (FONT, 14))));
        }
        let mut chart = t!(ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(150)
            .build_cartesian_2d(0f64..100.0, -0.5f64..n as f64 - 0.5));
        // The first row at the top.
        let labels: Vec<String> = self.rows.iter().rev().map(|r| r.0.clone()).collect();
        t!(chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| label_at(&labels, *y))
            .x_desc("% of mobile calls")
            .label_style((FONT, 14))
            .draw());
        for p in 0..self.parts.len() {
            let color = viridis(p as f64 / (k - 1) as f64 * 0.95);
            let rects: Vec<Rectangle<(f64, f64)>> = self
                .rows
                .iter()
                .enumerate()
                .map(|(i, (_, v))| {
                    let start: f64 = v[..p].iter().filter(|x| x.is_finite()).sum();
                    let y = (n - 1 - i) as f64;
                    Rectangle::new(
                        [(start, y - 0.3), (start + v[p].max(0.0), y + 0.3)],
                        color.filled(),
                    )
                })
                .collect();
            t!(chart.draw_series(rects));
        }
        t!(root.present());
        Ok(())
    }
}

/// A quantile-quantile plot: fitted against sample quantiles, with the
/// diagonal where a perfect fit would lie.
pub struct Qq {
    /// What is plotted, e.g. "travel, Eugene (lognormal)".
    pub title: String,
    /// (fitted quantile, sample quantile), minutes.
    pub points: Vec<(f64, f64)>,
}

impl Chart for Qq {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let top = self
            .points
            .iter()
            .map(|p| p.0.max(p.1))
            .filter(|x| x.is_finite())
            .fold(1.0, f64::max)
            * 1.05;
        let mut chart = t!(ChartBuilder::on(root)
            .caption(self.title.as_str(), (FONT, 18))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..top, 0f64..top));
        t!(chart
            .configure_mesh()
            .x_desc("fitted quantile, minutes")
            .y_desc("sample quantile, minutes")
            .label_style((FONT, 14))
            .draw());
        t!(chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (top, top)],
                BLACK.stroke_width(1)
            )))
            .map(|s| s
                .label("perfect fit")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK))));
        let color = viridis(0.3);
        t!(chart
            .draw_series(
                self.points
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 5, color.filled()))
            )
            .map(|s| s.label("quantiles 1%..99%").legend(move |(x, y)| Circle::new(
                (x + 10, y),
                5,
                color.filled()
            ))));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        t!(root.present());
        Ok(())
    }
}

/// A tornado chart: one horizontal bar per assumption from its low-side to
/// its high-side value (percent), largest swing on top, a vertical line at
/// the base and a grey band for the base's Monte Carlo 95% interval.
pub struct Tornado {
    /// (assumption, value at low, value at high), percent, top first.
    pub bars: Vec<(String, f64, f64)>,
    /// The base value and its Monte Carlo interval (mean, low, high), percent.
    pub base: (f64, f64, f64),
    /// X axis label.
    pub x_label: String,
}

impl Chart for Tornado {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        t!(root.fill(&WHITE));
        let vals = self
            .bars
            .iter()
            .flat_map(|b| [b.1, b.2])
            .chain([self.base.1, self.base.2])
            .filter(|x| x.is_finite());
        let (lo, hi) = vals.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        let pad = ((hi - lo) * 0.08).max(0.5);
        let n = self.bars.len();
        let labels: Vec<String> = self.bars.iter().rev().map(|b| b.0.clone()).collect();
        let mut chart = t!(ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(200)
            .build_cartesian_2d((lo - pad).max(0.0)..hi + pad, -0.5f64..n as f64 - 0.5));
        t!(chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n.max(1))
            .y_label_formatter(&|y| label_at(&labels, *y))
            .x_desc(self.x_label.as_str())
            .label_style((FONT, 14))
            .draw());
        let (b, bl, bh) = self.base;
        if bl.is_finite() && bh.is_finite() {
            t!(chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(bl, -0.5), (bh, n as f64 - 0.5)],
                    NA.mix(0.6).filled()
                )))
                .map(|s| s
                    .label("base: Monte Carlo 95% CI")
                    .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], NA.filled()))));
        }
        for (i, (_, l, h)) in self.bars.iter().rev().enumerate() {
            let y = i as f64;
            for (v, c) in [(*l, viridis(0.2)), (*h, viridis(0.75))] {
                if v.is_finite() {
                    t!(chart.draw_series(std::iter::once(Rectangle::new(
                        [(b.min(v), y - 0.3), (b.max(v), y + 0.3)],
                        c.filled()
                    ))));
                }
            }
        }
        // Legend entries for the two sides.
        for (name, c) in [("low value", viridis(0.2)), ("high value", viridis(0.75))] {
            t!(chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map(|s| s
                    .label(name)
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.filled()))));
        }
        t!(chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(b, -0.5), (b, n as f64 - 0.5)],
                BLACK.stroke_width(2)
            )))
            .map(|s| s
                .label(format!("as given: {b:.1}%"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)))));
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        t!(root.present());
        Ok(())
    }
}
