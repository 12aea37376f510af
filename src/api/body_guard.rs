//! The request-body guard, wrapped around every request in `startup::server`. Two rules:
//!
//! - **Idle timeout.** A request body that sends no bytes for `body_read_timeout_seconds`
//!   (`BERTH_BODY_READ_TIMEOUT_SECONDS`) fails the handler's read; the request is answered 408
//!   (OCI `BLOB_UPLOAD_INVALID` on `/v2/`, Pulp's `{"detail": …}` elsewhere) whatever the handler
//!   made of the error, and the connection is closed. A trickling client cannot hold a
//!   connection (and its file descriptor) forever.
//! - **Early answers close the connection.** When a response is produced before the request
//!   body was read to its end (a 401 to an anonymous chunked manifest PUT, say), the response
//!   says `Connection: close`, and the request payload is kept open until the response is fully
//!   written. actix then closes the connection after discarding input for at most
//!   `client_disconnect_timeout`, instead of silently draining an unbounded chunked body on a
//!   connection the client believes reusable (where both sides could wait forever).
use crate::api::oci::errors::OciError;
use crate::api::pulp::errors::PulpError;
use crate::error::Error;
use crate::state::AppState;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use bytes::Bytes;
use futures::Stream;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;

/// Used when the app carries no settings (never in `serve`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The request payload, shared between the stream the handler reads and the response body.
struct Shared {
    payload: RefCell<Payload>,
    /// The payload reached its end (or there was none).
    finished: Cell<bool>,
    timed_out: Cell<bool>,
}

/// The payload as the handler sees it: the original stream with an idle timeout.
struct Guarded {
    shared: Rc<Shared>,
    timeout: Duration,
    /// When the last bytes arrived (or the request started).
    last: Instant,
    /// Armed at `last + timeout` and only moved when it fires, so a fast body costs one
    /// `Instant::now()` per chunk, not a timer update.
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Stream for Guarded {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.shared.finished.get() || this.shared.timed_out.get() {
            return Poll::Ready(None);
        }
        let polled = {
            let mut payload = this.shared.payload.borrow_mut();
            Pin::new(&mut *payload).poll_next(cx)
        };
        match polled {
            Poll::Ready(Some(item)) => {
                this.last = Instant::now();
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                this.shared.finished.set(true);
                Poll::Ready(None)
            }
            Poll::Pending => {
                let deadline = this.last + this.timeout;
                let idle = this
                    .idle
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                while idle.as_mut().poll(cx).is_ready() {
                    let deadline = this.last + this.timeout;
                    if Instant::now() >= deadline {
                        this.shared.timed_out.set(true);
                        return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            format!("no request body data for {} s", this.timeout.as_secs()),
                        )))));
                    }
                    idle.as_mut().reset(deadline);
                }
                Poll::Pending
            }
        }
    }
}

/// A response body that keeps the unread request payload open until the response is written,
/// so actix sees the request as unfinished and closes the connection after the response.
struct KeepPayload {
    body: BoxBody,
    _payload: Option<Rc<Shared>>,
}

impl MessageBody for KeepPayload {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

/// The middleware (`actix_web::middleware::from_fn`).
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map(|s| Duration::from_secs(s.settings.body_read_timeout_seconds))
        .unwrap_or(DEFAULT_TIMEOUT);
    let payload = req.take_payload();
    let has_body = !matches!(payload, Payload::None);
    let shared = Rc::new(Shared {
        payload: RefCell::new(payload),
        finished: Cell::new(!has_body),
        timed_out: Cell::new(false),
    });
    if has_body {
        let guarded = Guarded {
            shared: shared.clone(),
            timeout,
            last: Instant::now(),
            idle: None,
        };
        req.set_payload(Payload::Stream {
            payload: Box::pin(guarded),
        });
    }
    let pulp = req.path().starts_with("/pulp/");
    let mut res = next.call(req).await?.map_into_boxed_body();
    if shared.timed_out.get() {
        let err = Error::BodyTimeout(timeout.as_secs());
        let answer = if pulp {
            PulpError(err).error_response()
        } else {
            OciError(err).error_response()
        };
        let (http_req, _) = res.into_parts();
        res = ServiceResponse::new(http_req, answer);
    }
    let unread = (!shared.finished.get()).then_some(shared);
    if unread.is_some() {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res.map_body(|_, body| KeepPayload {
        body,
        _payload: unread,
    }))
}
