//! The pages: choose a scenario, see and change it, run, follow, read.
//! Server-rendered HTML with inline CSS and one small inline script (the
//! progress bar); nothing is fetched from elsewhere, so it works offline.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use output::percent::{Style, percent};
use output::report::esc;
use sim::Scenario;
use sim::compare::{Comparison, Measure};
use sim::scenario::toml_key as key;

use crate::App;
use crate::jobs::Status;

const CSS: &str = "body{font-family:system-ui,sans-serif;font-size:18px;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#111;background:#fff}\
h1{font-size:1.7em}h2{border-bottom:3px solid #3b0f70;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;margin:.8em 0}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}th{background:#eee}\
input,select,button{font-size:1em;padding:.25em .4em}input[type=number]{width:6em}button{background:#3b0f70;color:#fff;border:0;border-radius:4px;padding:.5em 1em;cursor:pointer}\
button:focus,input:focus,select:focus,a:focus{outline:3px solid #f59e0b;outline-offset:2px}.err{color:#9b1c1c;font-weight:600}\
.note{color:#333}progress{width:100%;height:1.6em}a{color:#1d4ed8}.yes{font-weight:700}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — cessa-sim</title><style>{CSS}</style></head><body><p><a href=\"/\">cessa-sim</a></p>{body}</body></html>",
        esc(title)
    ))
}

/// A page that says what went wrong.
pub(crate) fn error_page(message: &str) -> Html<String> {
    page(
        "Error",
        &format!(
            "<h1>Something is wrong</h1><p class=\"err\" role=\"alert\">{}</p>",
            esc(message)
        ),
    )
}

fn fail(status: StatusCode, message: &str) -> Response {
    (status, error_page(message)).into_response()
}

/// Home: the embedded default or an uploaded scenario; the jobs so far.
pub(crate) async fn home(State(app): State<Arc<App>>) -> Html<String> {
    home_page(&app, "")
}

fn home_page(app: &App, error: &str) -> Html<String> {
    let mut body = String::from(
        "<h1>Mobile crisis coverage: what if…?</h1>\
         <p>Pick a scenario, change teams, shifts, maximum response times or demand, and run: the page compares your \
         changes with the unchanged scenario on the same simulated calls.</p>\
         <h2>Start from</h2><p><a href=\"/s/default\">The Illinois default</a> (11 EMS Regions, 82 teams)</p>\
         <form method=\"post\" action=\"/scenarios\" enctype=\"multipart/form-data\">\
         <label for=\"scenario\">or your own scenario file (TOML):</label> <input type=\"file\" id=\"scenario\" name=\"scenario\" accept=\".toml\" required> \
         <button type=\"submit\">Upload</button></form>",
    );
    if !error.is_empty() {
        let _ = write!(
            body,
            "<div class=\"err\" role=\"alert\"><pre>{}</pre></div>",
            esc(error)
        );
    }
    let mut jobs: Vec<u64> = std::fs::read_dir(app.config.data.join("jobs"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    jobs.sort_unstable_by(|a, b| b.cmp(a));
    if !jobs.is_empty() {
        body.push_str("<h2>Runs</h2><table><tr><th>run</th><th>what</th><th>status</th></tr>");
        for n in jobs.into_iter().take(30) {
            let title = std::fs::read_to_string(app.jobs.dir(n).join("title.txt")).unwrap_or_default();
            let status = app.jobs.status(n).map_or("?", |s| s.as_str());
            let _ = write!(
                body,
                "<tr><td><a href=\"/jobs/{n}\">{n}</a></td><td>{}</td><td>{status}</td></tr>",
                esc(&title)
            );
        }
        body.push_str("</table>");
    }
    page("cessa-sim", &body)
}

/// Upload: validated by the library; stored under a name made from its
/// content (no file name from the request is used).
pub(crate) async fn upload(State(app): State<Arc<App>>, mut form: Multipart) -> Response {
    let mut text = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("scenario") => match field.bytes().await {
                Ok(b) => text = Some(b),
                Err(e) => {
                    return (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        home_page(&app, &format!("The upload failed: {e}")),
                    )
                        .into_response();
                }
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    home_page(&app, &format!("The upload failed: {e}")),
                )
                    .into_response();
            }
        }
    }
    let Some(bytes) = text else {
        return (
            StatusCode::BAD_REQUEST,
            home_page(&app, "Choose a scenario file first."),
        )
            .into_response();
    };
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return (
            StatusCode::BAD_REQUEST,
            home_page(&app, "The file is not text (UTF-8)."),
        )
            .into_response();
    };
    if let Err(e) = Scenario::from_toml(&text, "your file") {
        return (StatusCode::UNPROCESSABLE_ENTITY, home_page(&app, &e.to_string())).into_response();
    }
    let id = content_id(&text);
    if std::fs::write(
        app.config.data.join("scenarios").join(format!("{id}.toml")),
        &text,
    )
    .is_err()
    {
        return fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The scenario could not be stored.",
        );
    }
    Redirect::to(&format!("/s/{id}")).into_response()
}

/// 16 hex digits of an FNV-1a hash of the text.
fn content_id(text: &str) -> String {
    format!("{:016x}", sim::rng::fnv1a(text.as_bytes()))
}

/// The text of scenario `id` (`default` or 16 hex digits), if it exists.
fn scenario_text(app: &App, id: &str) -> Option<String> {
    if id == "default" {
        return Some(sim::scenario::ILLINOIS_TOML.to_string());
    }
    if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    std::fs::read_to_string(app.config.data.join("scenarios").join(format!("{id}.toml"))).ok()
}

/// The scenario: its regions, teams by base and shift, maxima, demand, as
/// a form.
pub(crate) async fn scenario(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(text) = scenario_text(&app, &id) else {
        return fail(StatusCode::NOT_FOUND, "There is no such scenario.");
    };
    match Scenario::from_toml(&text, "scenario") {
        Ok(sc) => form_page(&id, &sc, &HashMap::new(), &HashMap::new(), &[]).into_response(),
        Err(e) => fail(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

fn field_error(errors: &HashMap<String, String>, field: &str) -> String {
    errors.get(field).map_or(String::new(), |e| {
        format!(
            " <span class=\"err\" id=\"{field}-err\" role=\"alert\">{}</span>",
            esc(e)
        )
    })
}

/// One editable maximum response time of the form: a call type's (when
/// every region has the same), a region's own, or a zone's own.
struct MaxRow {
    /// The form field.
    field: String,
    /// What the row is, as shown.
    label: String,
    /// The scenario path an edit sets.
    path: String,
    /// The maximum in effect, minutes (None: no maximum).
    current: Option<f64>,
    /// A call type's row: an edit also sets each region the scenario's
    /// `max_response_by_region` lists (else those regions would keep
    /// theirs, and the edit would change nothing there).
    call_type: Option<usize>,
}

/// The maximum response times the form edits: per call type, or per
/// region where the type's maximum differs between regions, and per zone
/// with a maximum of its own. Each row edits the value the simulation
/// uses, never one another setting overrides.
fn max_rows(sc: &Scenario) -> Vec<MaxRow> {
    let mut rows = Vec::new();
    for (i, ct) in sc.call_types().iter().enumerate() {
        let base = format!("call_types.{}", key(&ct.name));
        let same = ct.max_response.windows(2).all(|w| w[0] == w[1]);
        if same {
            rows.push(MaxRow {
                field: format!("max_{i}"),
                label: ct.name.clone(),
                path: format!("{base}.max_response_min"),
                current: ct.max_response.first().and_then(|m| m.limit()),
                call_type: Some(i),
            });
        } else {
            for (r, region) in sc.regions().iter().enumerate() {
                rows.push(MaxRow {
                    field: format!("max_{i}_r{r}"),
                    label: format!("{} in {}", ct.name, region.name),
                    path: format!("{base}.max_response_by_region.{}", key(&region.name)),
                    current: ct.max_response[r].limit(),
                    call_type: None,
                });
            }
        }
        for (z, own) in ct.max_response_by_zone.iter().enumerate() {
            if let Some(own) = own {
                let zone = &sc.zones()[z].name;
                rows.push(MaxRow {
                    field: format!("max_{i}_z{z}"),
                    label: format!("{} in zone {} (its own)", ct.name, zone),
                    path: format!("{base}.max_response_by_zone.{}", key(zone)),
                    current: own.limit(),
                    call_type: None,
                });
            }
        }
    }
    rows
}

fn form_page(
    id: &str,
    sc: &Scenario,
    values: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    general: &[String],
) -> Html<String> {
    let v = |k: &str, default: String| values.get(k).cloned().unwrap_or(default);
    let mut b = format!("<h1>{}</h1>", esc(sc.name()));
    if !general.is_empty() {
        b.push_str("<div class=\"err\" role=\"alert\"><p>The changes cannot run:</p><ul>");
        for g in general {
            let _ = write!(b, "<li>{}</li>", esc(g));
        }
        b.push_str("</ul></div>");
    }
    let _ = write!(b, "<form method=\"post\" action=\"/s/{}/run\">", esc(id));
    b.push_str("<h2>Demand and run</h2><p>");
    let _ = write!(
        b,
        "<label for=\"demand_scale\">Demand scale (1 = as in the scenario)</label> <input type=\"number\" step=\"any\" min=\"0\" id=\"demand_scale\" name=\"demand_scale\" value=\"{}\">{}",
        esc(&v("demand_scale", sc.demand_scale().to_string())),
        field_error(errors, "demand_scale")
    );
    let _ = write!(
        b,
        "</p><p><label for=\"replications\">Replications (more: narrower intervals, slower)</label> <input type=\"number\" min=\"1\" max=\"1000\" id=\"replications\" name=\"replications\" value=\"{}\">{}</p>",
        esc(&v("replications", sc.run().replications.min(1000).to_string())),
        field_error(errors, "replications")
    );
    b.push_str("<h2>Maximum response time by call type</h2><table><tr><th>call type</th><th>maximum, minutes (or none)</th></tr>");
    for row in max_rows(sc) {
        let current = row.current.map_or("none".into(), |m| m.to_string());
        let f = &row.field;
        let _ = write!(
            b,
            "<tr><td><label for=\"{f}\">{}</label></td><td><input type=\"text\" size=\"6\" id=\"{f}\" name=\"{f}\" value=\"{}\">{}</td></tr>",
            esc(&row.label),
            esc(&v(f, current)),
            field_error(errors, f)
        );
    }
    b.push_str("</table><h2>Teams by region, base and shift</h2><table><tr><th>region</th><th>team group</th><th>base</th><th>hours a week</th><th>teams</th></tr>");
    for (i, g) in sc.team_groups().iter().enumerate() {
        let f = format!("team_{i}");
        let _ = write!(
            b,
            "<tr><td>{}</td><td><label for=\"{f}\">{}</label></td><td>{}</td><td>{:.0}</td><td><input type=\"number\" min=\"0\" max=\"500\" id=\"{f}\" name=\"{f}\" value=\"{}\">{}</td></tr>",
            esc(&sc.regions()[g.region].name),
            esc(&g.name),
            esc(&sc.zones()[g.base].name),
            g.schedule.minutes_per_week() / 60.0,
            esc(&v(&f, g.count.to_string())),
            field_error(errors, &f)
        );
    }
    b.push_str("</table><h2>Add teams at a base</h2><p>");
    let _ = write!(
        b,
        "<label for=\"new_base\">Base</label> <select id=\"new_base\" name=\"new_base\"><option value=\"\">(none)</option>"
    );
    let chosen = v("new_base", String::new());
    for (ri, r) in sc.regions().iter().enumerate() {
        let _ = write!(b, "<optgroup label=\"{}\">", esc(&r.name));
        for &z in &r.zones {
            let value = format!("{ri}:{z}");
            let sel = if value == chosen { " selected" } else { "" };
            let _ = write!(
                b,
                "<option value=\"{value}\"{sel}>{} — {}</option>",
                esc(&r.name),
                esc(&sc.zones()[z].name)
            );
        }
        b.push_str("</optgroup>");
    }
    let _ = write!(
        b,
        "</select>{} <label for=\"new_count\">teams</label> <input type=\"number\" min=\"0\" max=\"100\" id=\"new_count\" name=\"new_count\" value=\"{}\">{} \
         <label for=\"new_shift\">shift</label> <input type=\"text\" id=\"new_shift\" name=\"new_shift\" value=\"{}\" aria-describedby=\"shift-help\">{}</p>\
         <p class=\"note\" id=\"shift-help\">Shift: 24/7, or days and hours such as Mon-Fri 08:00-20:00.</p>",
        field_error(errors, "new_base"),
        esc(&v("new_count", "0".into())),
        field_error(errors, "new_count"),
        esc(&v("new_shift", "24/7".into())),
        field_error(errors, "new_shift")
    );
    b.push_str(
        "<p><button type=\"submit\" id=\"run\">Run: compare with the unchanged scenario</button></p></form>",
    );
    page(sc.name(), &b)
}

/// What the form changes: (path, value, field).
type Change = (String, toml::Value, String);

/// Reads the form into scenario changes; problems by field.
fn changes(
    sc: &Scenario,
    scenario_text: &str,
    form: &HashMap<String, String>,
) -> (Vec<Change>, HashMap<String, String>) {
    let mut out = Vec::new();
    let mut errors = HashMap::new();
    let num = |f: &str, errors: &mut HashMap<String, String>| -> Option<f64> {
        let text = form.get(f)?.trim();
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                errors.insert(f.to_string(), format!("expected a number, found {text:?}"));
                None
            }
        }
    };
    if let Some(x) = num("demand_scale", &mut errors)
        && x != sc.demand_scale()
    {
        out.push((
            "demand_scale".into(),
            toml::Value::Float(x),
            "demand_scale".into(),
        ));
    }
    if let Some(x) = num("replications", &mut errors) {
        if x.fract() != 0.0 || !(1.0..=1000.0).contains(&x) {
            errors.insert(
                "replications".into(),
                "expected 1 to 1000 (the page's limit)".into(),
            );
        } else if x as u32 != sc.run().replications {
            out.push((
                "run.replications".into(),
                toml::Value::Integer(x as i64),
                "replications".into(),
            ));
        }
    }
    let root: Option<toml::Table> = scenario_text.parse().ok();
    for row in max_rows(sc) {
        let f = row.field;
        let Some(text) = form.get(&f).map(|t| t.trim()) else {
            continue;
        };
        let value = if text.eq_ignore_ascii_case("none") {
            (row.current.is_some()).then(|| toml::Value::String("none".into()))
        } else {
            num(&f, &mut errors)
                .filter(|&x| Some(x) != row.current)
                .map(toml::Value::Float)
        };
        let Some(value) = value else {
            continue;
        };
        // A call type's maximum: the regions the scenario gives their own
        // (all equal to it, or the row would be per region) get it too.
        if let Some(i) = row.call_type {
            let listed = root.as_ref().and_then(|t| {
                t.get("call_types")?
                    .get(&sc.call_types()[i].name)?
                    .get("max_response_by_region")?
                    .as_table()
            });
            if let Some(listed) = listed.filter(|t| !t.is_empty()) {
                let all = listed.keys().map(|k| (k.clone(), value.clone())).collect();
                let path = format!(
                    "call_types.{}.max_response_by_region",
                    key(&sc.call_types()[i].name)
                );
                out.push((path, toml::Value::Table(all), f.clone()));
            }
        }
        out.push((row.path, value, f));
    }
    for (i, g) in sc.team_groups().iter().enumerate() {
        let f = format!("team_{i}");
        if let Some(x) = num(&f, &mut errors) {
            if x.fract() != 0.0 || x < 0.0 {
                errors.insert(f, "expected a whole number of teams, 0 or more".into());
            } else if x as u32 != g.count {
                let path = format!(
                    "regions.{}.teams.{}.count",
                    key(&sc.regions()[g.region].name),
                    key(&g.name)
                );
                out.push((path, toml::Value::Integer(x as i64), f));
            }
        }
    }
    let count = num("new_count", &mut errors).unwrap_or(0.0);
    if count > 0.0 {
        let base = form.get("new_base").map(String::as_str).unwrap_or_default();
        let place = base
            .split_once(':')
            .and_then(|(r, z)| Some((r.parse::<usize>().ok()?, z.parse::<usize>().ok()?)))
            .filter(|&(r, z)| r < sc.regions().len() && sc.regions()[r].zones.contains(&z));
        let shift = sim::sizing::Shift::parse(form.get("new_shift").map(String::as_str).unwrap_or("24/7"));
        match (place, shift) {
            (None, _) => {
                errors.insert("new_base".into(), "choose the base of the new teams".into());
            }
            (_, Err(e)) => {
                errors.insert("new_shift".into(), e);
            }
            (Some((r, z)), Ok(shift)) if count.fract() == 0.0 => {
                let mut t = toml::Table::new();
                t.insert("count".into(), toml::Value::Integer(count as i64));
                t.insert("base".into(), toml::Value::String(sc.zones()[z].name.clone()));
                t.insert("shift".into(), shift.value().clone());
                let name = format!("added at {} ({})", sc.zones()[z].name, shift.label);
                let path = format!("regions.{}.teams.{}", key(&sc.regions()[r].name), key(&name));
                out.push((path, toml::Value::Table(t), "new_count".into()));
            }
            _ => {
                errors.insert("new_count".into(), "expected a whole number of teams".into());
            }
        }
    }
    (out, errors)
}

/// Run: the same validation as the command line, messages beside the
/// fields; then a job comparing the edited scenario with the unchanged one.
pub(crate) async fn run(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(text) = scenario_text(&app, &id) else {
        return fail(StatusCode::NOT_FOUND, "There is no such scenario.");
    };
    let Ok(sc) = Scenario::from_toml(&text, "scenario") else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, "The scenario does not load.");
    };
    let (changes, mut errors) = changes(&sc, &text, &form);
    let mut general = Vec::new();
    if errors.is_empty() && changes.iter().all(|c| c.0 == "run.replications") {
        general.push(
            "Nothing changed: change a team count, a maximum, the demand or add teams first.".to_string(),
        );
    }
    let values: Vec<(String, toml::Value)> = changes.iter().map(|c| (c.0.clone(), c.1.clone())).collect();
    let reps: Vec<(String, toml::Value)> = values
        .iter()
        .filter(|v| v.0 == "run.replications")
        .cloned()
        .collect();
    let mut edited = String::new();
    let mut base = String::new();
    if errors.is_empty() && general.is_empty() {
        match sim::scenario::patch::set_values(&text, &values)
            .and_then(|e| Ok((e, sim::scenario::patch::set_values(&text, &reps)?)))
        {
            Err(e) => general.push(e.to_string()),
            Ok((e, b)) => match Scenario::from_toml(&e, "your changes") {
                Ok(_) => (edited, base) = (e, b),
                Err(err) => {
                    for p in err.problems {
                        // The change the problem is about: the same key,
                        // or one inside the other at a key boundary (so
                        // zone `Down` does not take zone `Downtown`'s),
                        // the most specific first.
                        let within = |a: &str, b: &str| {
                            a == b || a.strip_prefix(b).is_some_and(|rest| rest.starts_with('.'))
                        };
                        let field = changes
                            .iter()
                            .filter(|c| within(&p.key, &c.0) || within(&c.0, &p.key))
                            .max_by_key(|c| c.0.len());
                        match field {
                            Some(c) => {
                                errors.insert(c.2.clone(), p.message.clone());
                            }
                            None => general.push(format!("`{}`: {}", p.key, p.message)),
                        }
                    }
                }
            },
        }
    }
    if !errors.is_empty() || !general.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&id, &sc, &form, &errors, &general),
        )
            .into_response();
    }
    let described: Vec<String> = changes.iter().map(|c| format!("{} = {}", c.0, c.1)).collect();
    let title = format!("{}: {}", sc.name(), described.join("; "));
    match app.jobs.submit(&base, &edited, &described.join("\n"), &title) {
        Ok(n) => Redirect::to(&format!("/jobs/{n}")).into_response(),
        Err(_) => fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy with other runs: try again in a minute.",
        ),
    }
}

/// A job: progress while it runs, then the comparison and the downloads.
pub(crate) async fn job(State(app): State<Arc<App>>, Path(n): Path<u64>) -> Response {
    let Some(status) = app.jobs.status(n) else {
        return fail(StatusCode::NOT_FOUND, "There is no such run.");
    };
    let dir = app.jobs.dir(n);
    let title = std::fs::read_to_string(dir.join("title.txt")).unwrap_or_default();
    let changes = std::fs::read_to_string(dir.join("changes.txt")).unwrap_or_default();
    let mut b = format!("<h1>Run {n}</h1><p>Changes against the unchanged scenario:</p><ul>");
    for c in changes.lines() {
        let _ = write!(b, "<li><code>{}</code></li>", esc(c));
    }
    let _ = write!(
        b,
        "</ul><p>Status: <strong id=\"status\">{}</strong></p>",
        status.as_str()
    );
    match status {
        Status::Queued | Status::Running => {
            let _ = write!(
                b,
                "<label for=\"progress\">Replications done</label> <progress id=\"progress\" max=\"1\" value=\"0\"></progress>\
                 <form method=\"post\" action=\"/jobs/{n}/cancel\"><button type=\"submit\" id=\"cancel\">Cancel</button></form>\
                 <script>(function(){{var p=document.getElementById('progress'),s=document.getElementById('status');\
                 function tick(){{fetch('/jobs/{n}/status').then(function(r){{return r.json()}}).then(function(j){{\
                 s.textContent=j.status;if(j.total>0){{p.max=j.total;p.value=j.done;}}\
                 if(j.status==='done'||j.status==='failed'||j.status==='cancelled'){{location.reload();}}else{{setTimeout(tick,500);}}}})\
                 .catch(function(){{setTimeout(tick,1000);}});}}tick();}})();</script>"
            );
        }
        Status::Done => {
            match std::fs::read(dir.join("out").join("compare.json"))
                .ok()
                .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .and_then(|v| serde_json::from_value::<Comparison>(v["comparison"].clone()).ok())
            {
                Some(c) => b.push_str(&compare_table(&c)),
                None => b.push_str("<p class=\"err\">The results could not be read.</p>"),
            }
            let _ = write!(
                b,
                "<p><a href=\"/jobs/{n}/files/report.html\">The full report</a> (maps, response times, hours of the week) · \
                 <a href=\"/jobs/{n}/files/compare.csv\" download>compare.csv</a> · \
                 <a href=\"/jobs/{n}/files/edited.toml\" download id=\"download-scenario\">the edited scenario (TOML)</a></p>"
            );
        }
        Status::Failed | Status::Cancelled => {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            if !log.trim().is_empty() {
                let _ = write!(b, "<pre class=\"err\">{}</pre>", esc(&log));
            }
        }
    }
    page(&title, &b).into_response()
}

/// A miss share in the comparison table: `3.25%`.
const MISS: Style = Style::share(2).undefined("–");

fn compare_table(c: &Comparison) -> String {
    let mut b = format!(
        "<h2>Your changes against the unchanged scenario</h2><p class=\"note\">{} replications on the same simulated calls; \
         a change is yours minus the unchanged scenario, with its paired 95% confidence interval. A miss is a mobile call \
         diverted to police or reached after the maximum.</p>\
         <table id=\"comparison\"><tr><th>region</th><th>miss, unchanged</th><th>miss, changed</th><th>change</th><th>clear?</th><th>team-hours a week, changed</th></tr>",
        c.replications
    );
    let (base, edited) = (&c.options[0], c.options.last().expect("two options"));
    let regions = c.regions();
    for region in regions {
        let (Some(a), Some(e)) = (
            c.row(base, region, Measure::MissShare),
            c.row(edited, region, Measure::MissShare),
        ) else {
            continue;
        };
        let hours = c
            .row(edited, region, Measure::TeamHoursPerWeek)
            .map_or(f64::NAN, |r| r.value.mean);
        let (change, clear) = e.change.map_or(("–".into(), "–"), |ch| {
            (
                percent(ch, Style::CHANGE_IN_POINTS),
                if e.distinguishable() == Some(true) {
                    "yes"
                } else {
                    "no"
                },
            )
        });
        let _ = write!(
            b,
            "<tr data-region=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"change\">{}</td><td class=\"{}\">{}</td><td>{:.0}</td></tr>",
            esc(region.unwrap_or("Statewide")),
            esc(region.unwrap_or("Statewide")),
            percent(a.value, MISS),
            percent(e.value, MISS),
            change,
            clear,
            clear,
            hours
        );
    }
    b.push_str("</table>");
    b
}

/// Progress as JSON: `{"status", "done", "total"}`.
pub(crate) async fn status(State(app): State<Arc<App>>, Path(n): Path<u64>) -> Response {
    let Some(status) = app.jobs.status(n) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (done, total) = app.jobs.progress(n).unwrap_or((0, 0));
    axum::Json(serde_json::json!({ "status": status.as_str(), "done": done, "total": total })).into_response()
}

/// Cancel a queued or running job.
pub(crate) async fn cancel(State(app): State<Arc<App>>, Path(n): Path<u64>) -> Response {
    if app.jobs.status(n).is_none() {
        return fail(StatusCode::NOT_FOUND, "There is no such run.");
    }
    app.jobs.cancel(n);
    Redirect::to(&format!("/jobs/{n}")).into_response()
}

/// A job's file, from a fixed list.
pub(crate) async fn file(State(app): State<Arc<App>>, Path((n, name)): Path<(u64, String)>) -> Response {
    let dir = app.jobs.dir(n);
    let (path, kind, attach) = match name.as_str() {
        "report.html" => (
            dir.join("out").join("report.html"),
            "text/html; charset=utf-8",
            false,
        ),
        "compare.csv" => (
            dir.join("out").join("compare.csv"),
            "text/csv; charset=utf-8",
            true,
        ),
        "edited.toml" => (dir.join("edited.toml"), "application/toml; charset=utf-8", true),
        "base.toml" => (dir.join("base.toml"), "application/toml; charset=utf-8", true),
        _ => return fail(StatusCode::NOT_FOUND, "There is no such file."),
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let mut resp = (StatusCode::OK, [(header::CONTENT_TYPE, kind)], bytes).into_response();
            if attach && let Ok(v) = format!("attachment; filename=\"run-{n}-{name}\"").parse() {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        Err(_) => fail(StatusCode::NOT_FOUND, "That file is not there (yet)."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scenario after the form's edits, as the run would simulate it.
    fn edited(text: &str, form: &[(&str, &str)]) -> Scenario {
        let sc = Scenario::from_toml(text, "t.toml").unwrap();
        let form: HashMap<String, String> =
            form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let (changes, errors) = changes(&sc, text, &form);
        assert!(errors.is_empty(), "{errors:?}");
        let values: Vec<(String, toml::Value)> = changes.into_iter().map(|c| (c.0, c.1)).collect();
        let text = sim::scenario::patch::set_values(text, &values).unwrap();
        Scenario::from_toml(&text, "edited").unwrap()
    }

    const TWO: &str = r#"
[call_types.crisis]
max_response_min = 60
max_response_by_region = { East = 45 }
max_response_by_zone = { Downtown = 30 }
triage = { mobile = 1.0 }
on_scene = 30
[regions.West]
population = 1000
calls_per_hour = 1
zones = { Downtown = 1, Rural = 1 }
travel = { time = 10 }
teams.van = { count = 1, base = "Rural" }
[regions.East]
population = 1000
calls_per_hour = 1
travel = { time = 10 }
teams.van = { count = 1 }
"#;

    /// Where the regions' maxima differ, the form has a row per region,
    /// and a row per zone with its own; each edit changes the maximum the
    /// simulation uses there (an edit of `max_response_min` would have left
    /// East at its own 45 and Downtown at 30).
    #[test]
    fn each_maximum_row_edits_the_value_in_effect() {
        let sc = Scenario::from_toml(TWO, "t.toml").unwrap();
        let rows: Vec<(String, String, Option<f64>)> = max_rows(&sc)
            .into_iter()
            .map(|r| (r.field, r.label, r.current))
            .collect();
        assert_eq!(
            rows,
            [
                ("max_0_r0".into(), "crisis in West".into(), Some(60.0)),
                ("max_0_r1".into(), "crisis in East".into(), Some(45.0)),
                (
                    "max_0_z0".into(),
                    "crisis in zone Downtown (its own)".into(),
                    Some(30.0)
                ),
            ]
        );
        let east = sc.regions().iter().position(|r| r.name == "East").unwrap();
        let after = edited(TWO, &[("max_0_r1", "20"), ("max_0_z0", "none")]);
        let ct = &after.call_types()[0];
        assert_eq!(ct.max_response[east].minutes(), 20.0);
        assert_eq!(ct.max_response[1 - east].minutes(), 60.0, "West as it was");
        assert!(
            ct.max_response_by_zone[0].unwrap().minutes().is_infinite(),
            "Downtown: none"
        );
    }

    /// A call type whose one region has its own maximum shows one row with
    /// the maximum in effect, and an edit changes it (not only the
    /// `max_response_min` that region's own overrides).
    #[test]
    fn a_call_type_edit_reaches_regions_with_their_own() {
        let one = TWO
            .split("[regions.East]")
            .next()
            .unwrap()
            .replace("{ East = 45 }", "{ West = 45 }");
        let sc = Scenario::from_toml(&one, "t.toml").unwrap();
        let rows = max_rows(&sc);
        assert_eq!((rows[0].field.as_str(), rows[0].current), ("max_0", Some(45.0)));
        let after = edited(&one, &[("max_0", "25")]);
        assert_eq!(after.call_types()[0].max_response[0].minutes(), 25.0);
        // Unchanged values change nothing.
        let same = Scenario::from_toml(&one, "t.toml").unwrap();
        let form = HashMap::from([("max_0".to_string(), "45".to_string())]);
        assert!(changes(&same, &one, &form).0.is_empty());
    }
}
