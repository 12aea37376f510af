//! What a finished task reports: the resources it created (named by ids; `domain::hrefs`
//! makes their hrefs and PRNs) and Pulp's progress reports.
use super::TaskState;
use crate::domain::hrefs;
use crate::service::versions::NewVersion;
use serde::Serialize;
use uuid::Uuid;

/// A resource a task created, named by ids; `domain::hrefs` makes its href and PRN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Distribution(Uuid),
    Version {
        repository: Uuid,
        version: NewVersion,
    },
    /// A version of a plain container repository.
    ContainerVersion {
        repository: Uuid,
        version: NewVersion,
    },
}

impl Created {
    pub fn href(&self) -> String {
        match self {
            Created::Distribution(id) => hrefs::distribution(*id),
            Created::Version {
                repository,
                version,
            } => hrefs::version(*repository, version.number),
            Created::ContainerVersion {
                repository,
                version,
            } => hrefs::container_version(*repository, version.number),
        }
    }

    pub fn prn(&self) -> String {
        match self {
            Created::Distribution(id) => hrefs::distribution_prn(*id),
            Created::Version { version, .. } | Created::ContainerVersion { version, .. } => {
                hrefs::version_prn(version.id)
            }
        }
    }
}

/// One of Pulp's progress reports, as a finished task shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressReport {
    pub message: &'static str,
    pub code: &'static str,
    pub state: TaskState,
    pub total: u64,
    pub done: u64,
    pub suffix: Option<String>,
}

impl ProgressReport {
    pub(super) fn completed(message: &'static str, code: &'static str, n: u64) -> ProgressReport {
        ProgressReport {
            message,
            code,
            state: TaskState::Completed,
            total: n,
            done: n,
            suffix: None,
        }
    }
}

/// What a finished task reports.
#[derive(Debug, Default)]
pub struct Outcome {
    pub created: Vec<Created>,
    pub progress_reports: Vec<ProgressReport>,
    /// The task's `result` (any JSON), kept with the finished task.
    pub result: Option<serde_json::Value>,
}

impl Outcome {
    /// The version a task made in `repository` (a plain container repository when
    /// `container`), if it made one.
    pub(super) fn version_in(
        repository: Uuid,
        version: Option<NewVersion>,
        container: bool,
    ) -> Outcome {
        Outcome {
            created: version
                .map(|version| match container {
                    true => Created::ContainerVersion {
                        repository,
                        version,
                    },
                    false => Created::Version {
                        repository,
                        version,
                    },
                })
                .into_iter()
                .collect(),
            ..Default::default()
        }
    }
}
