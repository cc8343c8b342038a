//! `cessa-sim serve`: glue between the command line and the `serve` crate.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::BadInput;

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on. Anything but a loopback address
    /// (127.0.0.1, ::1) also needs a token (printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder for uploaded scenarios and the results of every run (kept
    /// across restarts).
    #[arg(long, default_value = "cessa-sim-serve")]
    data: PathBuf,
    /// Runs that may wait in the queue; more get "busy, try later".
    #[arg(long, default_value_t = 8)]
    queue: usize,
    /// Largest upload or form, in KiB.
    #[arg(long, default_value_t = 1024)]
    max_body_kib: usize,
    /// The bearer token to require (default: none on loopback, a random one
    /// otherwise). Also read from CESSA_SIM_TOKEN.
    #[arg(long, env = "CESSA_SIM_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

pub(crate) fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.queue == 0 || args.max_body_kib == 0 {
        return Err(BadInput("--queue and --max-body-kib must be at least 1".into()).into());
    }
    let token = match (&args.token, args.listen.ip().is_loopback()) {
        (Some(t), _) if t.len() < 16 => {
            return Err(BadInput("--token must be at least 16 characters".into()).into());
        }
        (Some(t), _) => Some(t.clone()),
        (None, true) => None,
        (None, false) => Some(serve::new_token()),
    };
    let config = serve::Config {
        listen: args.listen,
        data: args.data.clone(),
        exe: std::env::current_exe().context("cannot find the cessa-sim binary for the runs")?,
        queue: args.queue,
        max_body: args.max_body_kib * 1024,
        token: token.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's threads")?;
    match &token {
        Some(t) => eprintln!(
            "cessa-sim serve: open http://{}/?token={t}  (Ctrl-C stops)",
            args.listen
        ),
        None => eprintln!("cessa-sim serve: open http://{}/  (Ctrl-C stops)", args.listen),
    }
    eprintln!("runs and uploads are kept in {}", args.data.display());
    runtime.block_on(serve::run(config)).map_err(|e| match e {
        serve::ServeError::Io { what, source } if what.starts_with("listening") => {
            anyhow::Error::new(BadInput(format!("{what}: {source}")))
        }
        e => anyhow::Error::new(e),
    })
}
