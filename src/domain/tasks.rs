//! Pulp's task states: the one list of them. A task is created `waiting`, moves to `running`
//! once, and ends `completed`, `failed` or `canceled` (`canceling` is a running task asked to
//! stop; `skipped` is Pulp's, never set by berth but accepted where Pulp accepts it).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    Waiting,
    Skipped,
    Running,
    Completed,
    Failed,
    Canceled,
    Canceling,
}

impl TaskState {
    /// Every state, in Pulp's order.
    pub const ALL: [TaskState; 7] = [
        TaskState::Waiting,
        TaskState::Skipped,
        TaskState::Running,
        TaskState::Completed,
        TaskState::Failed,
        TaskState::Canceled,
        TaskState::Canceling,
    ];
    /// The states a task never leaves.
    pub const FINAL: [TaskState; 4] = [
        TaskState::Completed,
        TaskState::Failed,
        TaskState::Canceled,
        TaskState::Skipped,
    ];
    /// The states of a task a worker holds (it heartbeats and owns its locks).
    pub const ACTIVE: [TaskState; 2] = [TaskState::Running, TaskState::Canceling];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Waiting => "waiting",
            TaskState::Skipped => "skipped",
            TaskState::Running => "running",
            TaskState::Completed => "completed",
            TaskState::Failed => "failed",
            TaskState::Canceled => "canceled",
            TaskState::Canceling => "canceling",
        }
    }

    pub fn is_final(self) -> bool {
        TaskState::FINAL.contains(&self)
    }
}

impl std::fmt::Display for TaskState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TaskState {
    type Err = String;
    fn from_str(s: &str) -> Result<TaskState, String> {
        TaskState::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("unknown task state '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::TaskState;

    #[test]
    fn states_round_trip_through_text_and_serde() {
        for s in TaskState::ALL {
            assert_eq!(s.as_str().parse::<TaskState>(), Ok(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::from(s.as_str())
            );
        }
        assert!("done".parse::<TaskState>().is_err());
        assert!(TaskState::Canceled.is_final() && !TaskState::Canceling.is_final());
    }
}
