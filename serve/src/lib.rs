//! `cessa-sim serve`: a local web page for committee members who will not
//! use a terminal. It reads and validates scenarios with the same library
//! as the command line (the same messages), and runs each what-if as a
//! `cessa-sim compare` of the edited scenario against the unchanged one, in
//! a child process it can cancel, with its results on disk.
//!
//! Security: it listens on 127.0.0.1 unless told otherwise, and then asks
//! for a bearer token; bodies are limited; the job queue is bounded; no part
//! of a request names a file (scenarios and jobs are found by validated
//! ids); every name is escaped; state-changing requests are POSTs whose
//! `Origin` must be the page's own.

mod jobs;
mod pages;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use jobs::Jobs;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Folder for uploaded scenarios and job results (kept across restarts).
    pub data: PathBuf,
    /// The `cessa-sim` binary that runs the jobs.
    pub exe: PathBuf,
    /// Jobs that may wait in the queue (beyond the one running).
    pub queue: usize,
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Required bearer token (`None` on a loopback address).
    pub token: Option<String>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The data folder or the socket failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Shared state of the handlers.
pub(crate) struct App {
    pub config: Config,
    pub jobs: Jobs,
}

/// A random token of 32 hex digits.
pub fn new_token() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| format!("{:x}", rng.random_range(0..16u8)))
        .collect()
}

/// The router (for tests as well as [`run`]).
pub fn router(config: Config) -> Result<Router, ServeError> {
    let io = |what: &str| {
        let what = what.to_string();
        move |source| ServeError::Io { what, source }
    };
    std::fs::create_dir_all(config.data.join("scenarios")).map_err(io("creating the data folder"))?;
    std::fs::create_dir_all(config.data.join("jobs")).map_err(io("creating the data folder"))?;
    let jobs = Jobs::start(&config).map_err(io("reading the jobs folder"))?;
    let app = Arc::new(App {
        config: config.clone(),
        jobs,
    });
    Ok(Router::new()
        .route("/", get(pages::home))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/scenarios", post(pages::upload))
        .route("/s/{id}", get(pages::scenario))
        .route("/s/{id}/run", post(pages::run))
        .route("/jobs/{n}", get(pages::job))
        .route("/jobs/{n}/status", get(pages::status))
        .route("/jobs/{n}/cancel", post(pages::cancel))
        .route("/jobs/{n}/files/{name}", get(pages::file))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(DefaultBodyLimit::max(config.max_body))
        .with_state(app))
}

/// Starts the server and serves until Ctrl-C.
pub async fn run(config: Config) -> Result<(), ServeError> {
    let listen = config.listen;
    let app = router(config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Io {
            what: format!("listening on {listen}"),
            source,
        })?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServeError::Io {
            what: "serving".into(),
            source,
        })
}

/// The token (when one is set) and, for state-changing requests, the
/// origin: a POST whose `Origin` is not this page is refused.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    if let Some(token) = &app.config.token {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let cookie = cookie(headers, "cessa_token");
        let query = req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .map(str::to_string)
        });
        let ok = [bearer.map(str::to_string), cookie, query.clone()]
            .iter()
            .flatten()
            .any(|t| t == token);
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                pages::error_page("A token is needed: open the address the server printed when it started."),
            )
                .into_response();
        }
        if query.is_some() {
            let mut resp = next.run(req).await;
            if let Ok(v) = format!("cessa_token={token}; HttpOnly; SameSite=Strict; Path=/").parse() {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            return resp;
        }
    }
    if req.method() == Method::POST && !same_origin(headers) {
        return (
            StatusCode::FORBIDDEN,
            pages::error_page("This request came from another site and was refused."),
        )
            .into_response();
    }
    next.run(req).await
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(&format!("{name}=")).map(str::to_string))
}

/// A POST from this page: its `Origin` (when the client sends one, as
/// browsers do) names the same host.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                == Some(host)
        }
        (Some(_), None) => false,
    }
}
