//! Pulp's (Django REST framework's) field errors, worded once: the texts every layer uses for a
//! 400 naming a field (`{"name": ["This field is required."]}`), so clients matching on them
//! see the same words wherever a check happens.
use crate::error::Error;

pub const REQUIRED: &str = "This field is required.";
pub const BLANK: &str = "This field may not be blank.";
pub const NULL: &str = "This field may not be null.";
pub const NOT_STRING: &str = "Not a valid string.";
pub const NOT_BOOLEAN: &str = "Must be a valid boolean.";
pub const NOT_LIST: &str = "Expected a list of items.";
pub const NOT_URL: &str = "Incorrect type. Expected URL string.";
pub const NO_OBJECT: &str = "Invalid hyperlink - Object does not exist.";
pub const UNIQUE: &str = "This field must be unique.";
pub const UNEXPECTED: &str = "Unexpected field";
pub const NUL: &str = "Null characters are not allowed.";
pub const NOT_A_DICT: &str = "Invalid data. Expected a dictionary, but got a list or value.";
pub const LABEL_VALUES: &str = "Label values must be strings.";
pub const BAD_DATETIME: &str = "Enter a valid date/time.";
pub const NON_FIELD: &str = "non_field_errors";

/// `Ensure this field has no more than {max} characters.`
pub fn max_length(max: usize) -> String {
    format!("Ensure this field has no more than {max} characters.")
}

/// `Object with {key}={value} does not exist.` (a slug field naming nothing).
pub fn no_such(key: &str, value: &str) -> String {
    format!("Object with {key}={value} does not exist.")
}

/// A 400 naming one field.
pub fn field(name: &str, message: impl Into<String>) -> Error {
    Error::field(name, message)
}

/// A 400 not tied to one field (`non_field_errors`).
pub fn non_field(message: impl Into<String>) -> Error {
    Error::field(NON_FIELD, message)
}
