//! `cessa-sim calibrate` and `cessa-sim backtest`: read the records (plain
//! or gzip'd CSV) and the mapping file, then call the `calibration` crate.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use calibration::calibrate::{Options, calibrate as fit_all};
use calibration::{Mapping, Records};
use clap::Args;
use sim::{Model, Scenario};

use crate::BadInput;

/// Arguments of `cessa-sim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Call records: CSV with a header, plain or gzip'd (.gz).
    pub records: PathBuf,
    /// Column-mapping file (TOML), e.g. calibration/maps/lane_mcslc.toml.
    #[arg(long)]
    pub map: PathBuf,
    /// Use only requests from this date on (YYYY-MM-DD), instead of the map's `window`.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// ... and before this date (YYYY-MM-DD, exclusive).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Fit only the last N weeks of the window (--from/--to, or the map's);
    /// 0: the whole window.
    #[arg(long, default_value_t = 0)]
    pub weeks: u32,
    /// Write the calibrated scenario here (default: print it on stdout).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Write the fit report (fit_report.txt) into this folder.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Maximum response time of every call type, minutes.
    #[arg(long, default_value_t = 60.0)]
    pub max_response_min: f64,
    /// Percentile (0-1) of concurrent busy teams used for the staffing estimate.
    #[arg(long, default_value_t = 1.0)]
    pub staffing_quantile: f64,
    /// Bridge gaps of at most this many hours in the estimated staffing, so
    /// that shifts are not single hours (0: follow the hourly estimate exactly).
    #[arg(long, default_value_t = 2)]
    pub bridge_hours: usize,
    /// Scale the rates to the request level of the last N weeks (0: the
    /// whole window's mean); the profile shape and durations use the whole window.
    #[arg(long, default_value_t = calibration::calibrate::DEFAULT_LEVEL_WEEKS)]
    pub level_weeks: u32,
}

/// Arguments of `cessa-sim backtest`.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// SCENARIO RECORDS: the scenario file (TOML, e.g. written by
    /// `calibrate`) and the call records (CSV with a header, plain or
    /// gzip'd); with --rolling only RECORDS (each fold is calibrated).
    #[arg(value_name = "SCENARIO RECORDS", num_args = 1..=2, required = true)]
    pub paths: Vec<PathBuf>,
    /// Rolling-origin back-test: calibrate on the weeks before each test
    /// window, simulate it, compare; a table per fold and a summary.
    #[arg(long)]
    pub rolling: bool,
    /// With --rolling: folds, the last ending at the end of the window.
    #[arg(long, default_value_t = 6, requires = "rolling")]
    pub folds: u32,
    /// With --rolling: weeks in each test window.
    #[arg(long, default_value_t = 4, requires = "rolling")]
    pub test_weeks: u32,
    /// With --rolling: weeks between the starts of consecutive test windows.
    #[arg(long, default_value_t = 4, requires = "rolling")]
    pub step_weeks: u32,
    /// With --rolling: weeks of records each fold is calibrated on, just
    /// before its test window (0: all of the window before it).
    #[arg(long, default_value_t = calibration::rolling::DEFAULT_TRAIN_WEEKS, requires = "rolling")]
    pub train_weeks: u32,
    /// With --rolling: scale each fold's rates to the level of the last N
    /// training weeks (calibrate's --level-weeks; 0: the training mean).
    #[arg(long, default_value_t = calibration::calibrate::DEFAULT_LEVEL_WEEKS, requires = "rolling")]
    pub level_weeks: u32,
    /// Column-mapping file (TOML).
    #[arg(long)]
    pub map: PathBuf,
    /// Use only requests from this date on (YYYY-MM-DD), instead of the map's `window`
    /// (e.g. months held out of the calibration).
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// ... and before this date (YYYY-MM-DD, exclusive).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Replications.
    #[arg(long, short = 'r', default_value_t = 50)]
    pub replications: u32,
    /// Set every call type's maximum response time to this many minutes
    /// first, e.g. 1440 to compare with records where no call was diverted
    /// (with --rolling: the calibrated maximum, default 1440).
    #[arg(long)]
    pub max_response_min: Option<f64>,
}

fn read_records(path: &Path) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).map_err(|e| BadInput(format!("cannot read records {}: {e}", path.display())))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .with_context(|| format!("decompressing {}", path.display()))?;
        Ok(text)
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
    }
}

fn load(
    records: &Path,
    map: &Path,
    from: &Option<String>,
    to: &Option<String>,
) -> anyhow::Result<(Records, Mapping)> {
    let map_text = std::fs::read_to_string(map)
        .map_err(|e| BadInput(format!("cannot read map {}: {e}", map.display())))?;
    let mut map = Mapping::from_toml(&map_text, &map.display().to_string())?;
    if let (Some(start), Some(end)) = (from, to) {
        map.window = Some(calibration::map::Window {
            start: start.clone(),
            end: end.clone(),
        });
    }
    let text = read_records(records)?;
    let recs = Records::read(&text, &map).map_err(|e| BadInput(format!("{}: {e}", records.display())))?;
    Ok((recs, map))
}

/// Runs `cessa-sim calibrate`.
pub fn calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    if args.max_response_min.is_nan()
        || args.max_response_min <= 0.0
        || !(0.0..=1.0).contains(&args.staffing_quantile)
    {
        return Err(
            BadInput("--max-response-min must be > 0 and --staffing-quantile from 0 to 1".into()).into(),
        );
    }
    let (recs, map) = load(&args.records, &args.map, &args.from, &args.to)?;
    let recs = recs
        .last_weeks(args.weeks)
        .map_err(|e| BadInput(format!("{}: --weeks {}: {e}", args.records.display(), args.weeks)))?;
    let opts = Options {
        max_response_min: args.max_response_min,
        staffing_quantile: args.staffing_quantile,
        bridge_hours: args.bridge_hours,
        level_weeks: args.level_weeks,
    };
    let cal = fit_all(&recs, &map, &opts)?;
    for w in cal.warnings() {
        eprintln!("warning: {w}");
    }
    let text = cal.scenario_toml(&recs, &map, &opts);
    let report = cal.report(&recs, &map);
    if let Some(dir) = &args.report {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let p = dir.join("fit_report.txt");
        std::fs::write(&p, &report).with_context(|| format!("writing {}", p.display()))?;
        // A QQ plot of every fitted duration.
        let mut fits = vec![("intake".to_string(), &cal.intake)];
        for r in &cal.regions {
            fits.push((format!("travel {}", r.name), &r.travel));
        }
        for t in &cal.types {
            fits.push((format!("on scene {}", t.name), &t.on_scene));
        }
        for (what, fit) in fits {
            let slug: String = what
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            let title = format!("{what}: {} fit, n = {}", fit.qq_family(), fit.n);
            output::report::write_qq(dir, &format!("qq_{slug}"), &title, &fit.qq_points())
                .with_context(|| format!("writing the QQ plot of {what}"))?;
        }
    }
    // The written scenario must be one the engine accepts.
    Scenario::from_toml(&text, "calibrated scenario").context("the calibrated scenario does not validate")?;
    match &args.out {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?;
            let c = &recs.cleaning;
            let dropped: u64 = c.rows_dropped.values().map(|r| r.count).sum();
            eprintln!(
                "{} rows read, {} dropped, {} usable; scenario written to {}",
                c.rows_read,
                dropped,
                recs.records.len(),
                p.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Runs `cessa-sim backtest`.
pub fn backtest(args: BacktestArgs) -> anyhow::Result<()> {
    if args.replications == 0 {
        return Err(BadInput("--replications must be at least 1".into()).into());
    }
    if args.rolling {
        return rolling(args);
    }
    let [scenario_path, records] = &args.paths[..] else {
        return Err(BadInput(
            "backtest needs SCENARIO RECORDS (or --rolling RECORDS, which calibrates each fold)".into(),
        )
        .into());
    };
    let (recs, _map) = load(records, &args.map, &args.from, &args.to)?;
    let text = std::fs::read_to_string(scenario_path)
        .map_err(|e| BadInput(format!("cannot read scenario {}: {e}", scenario_path.display())))?;
    let mut values = vec![
        (
            "run.start_date".to_string(),
            toml::Value::String(recs.start_date.to_string()),
        ),
        (
            "run.horizon_days".to_string(),
            toml::Value::Float(recs.span_days()),
        ),
        ("run.warmup_days".to_string(), toml::Value::Integer(0)),
    ];
    if let Some(max) = args.max_response_min {
        let table: toml::Table = text
            .parse()
            .map_err(|e| BadInput(format!("{}: {e}", scenario_path.display())))?;
        let types = table.get("call_types").and_then(|t| t.as_table());
        for name in types.into_iter().flat_map(|t| t.keys()) {
            values.push((
                format!("call_types.{name:?}.max_response_min"),
                toml::Value::Float(max),
            ));
        }
    }
    let text = sim::scenario::patch::set_values(&text, &values)?;
    let scenario = Scenario::from_toml(&text, &scenario_path.display().to_string())?;
    let results = sim::montecarlo::run(&Model::new(scenario), args.replications, &|| {});
    let rows = calibration::backtest::compare(&recs, &results);
    println!(
        "Back-test: {} records, {} days from {}, {} replications\n",
        recs.records.len(),
        recs.span_days(),
        recs.start_date,
        args.replications
    );
    print!("{}", calibration::backtest::table(&rows));
    Ok(())
}

/// Runs `cessa-sim backtest --rolling`.
fn rolling(args: BacktestArgs) -> anyhow::Result<()> {
    let [records] = &args.paths[..] else {
        return Err(BadInput(
            "backtest --rolling takes only RECORDS: each fold calibrates its own scenario".into(),
        )
        .into());
    };
    let max = args.max_response_min.unwrap_or(1440.0);
    if max.is_nan() || max <= 0.0 {
        return Err(BadInput("--max-response-min must be > 0".into()).into());
    }
    let (recs, map) = load(records, &args.map, &args.from, &args.to)?;
    let opts = calibration::rolling::RollingOptions {
        folds: args.folds,
        test_weeks: args.test_weeks,
        step_weeks: args.step_weeks,
        train_weeks: args.train_weeks,
        replications: args.replications,
        calibrate: Options {
            max_response_min: max,
            level_weeks: args.level_weeks,
            ..Options::default()
        },
    };
    let folds = calibration::rolling::rolling(&recs, &map, &opts).map_err(|e| BadInput(e.to_string()))?;
    println!(
        "Rolling back-test: {} folds of {} weeks, step {} weeks, each calibrated on {}, {} replications; records {} days from {}\n",
        folds.len(),
        args.test_weeks,
        args.step_weeks,
        if args.train_weeks == 0 {
            "all weeks before it".to_string()
        } else {
            format!("the {} weeks before it", args.train_weeks)
        },
        args.replications,
        recs.span_days(),
        recs.start_date
    );
    print!("{}", calibration::rolling::report(&folds));
    Ok(())
}
