//! The reading of a JSON body into a resource's request type: [`Body::parse`] refuses what is
//! not a JSON object, NUL characters and every field the request type does not declare (its
//! serde field list, the type being `#[serde(deny_unknown_fields)]`); the typed getters give
//! DRF's message (from `error::field_errors`) for a value of the wrong type. Handlers turn a
//! [`Body`] into their request type; services never see JSON.
use crate::error::field_errors::*;
use crate::error::{Error, Result};
use serde::de::{self, Deserialize, Visitor};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A JSON object body whose fields are all declared by the request type.
pub struct Body(Map<String, Value>);

impl Body {
    /// Reads a body for request type `T` (an empty body is an empty object).
    pub fn parse<'de, T: Deserialize<'de>>(bytes: &[u8]) -> Result<Body> {
        Body::parse_known(bytes, field_names::<T>())
    }

    /// Reads a body whose fields are `known`.
    pub fn parse_known(bytes: &[u8], known: &[&str]) -> Result<Body> {
        if bytes.is_empty() {
            return Ok(Body(Map::new()));
        }
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| non_field(format!("JSON parse error - {e}")))?;
        let Value::Object(map) = v else {
            return Err(non_field(NOT_A_DICT));
        };
        if let Some(name) = map.iter().find(|(_, v)| has_nul(v)).map(|(k, _)| k) {
            return Err(field(name, NUL));
        }
        let unknown: Vec<(String, String)> = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| (k.clone(), UNEXPECTED.to_string()))
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Validation(unknown));
        }
        Ok(Body(map))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Whether the body names `key` (with any value, `null` included).
    pub fn given(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Whether the body gives `key` a value other than `null`.
    pub fn set(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|v| !v.is_null())
    }

    /// A string (`None` when absent; any other value, `null` too, is not a string).
    pub fn string(&self, key: &str) -> Result<Option<String>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(field(key, NOT_STRING)),
        }
    }

    /// A string that may be `null`: `None` absent, `Some(None)` null.
    pub fn nullable_string(&self, key: &str) -> Result<Option<Option<String>>> {
        match self.0.get(key) {
            Some(Value::Null) => Ok(Some(None)),
            _ => Ok(self.string(key)?.map(Some)),
        }
    }

    /// A non-empty string that must be given.
    pub fn required_string(&self, key: &str) -> Result<String> {
        match self.0.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(field(key, BLANK)),
            Some(_) => Err(field(key, NOT_STRING)),
            None => Err(field(key, REQUIRED)),
        }
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(field(key, NOT_BOOLEAN)),
        }
    }

    /// A list of strings (`None` when absent or `null`), at most `max` of them.
    pub fn string_list(&self, key: &str, max: usize) -> Result<Option<Vec<String>>> {
        let items = match self.0.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(field(key, NOT_LIST)),
        };
        if items.len() > max {
            return Err(field(
                key,
                format!("Ensure this field has no more than {max} elements."),
            ));
        }
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(field(key, NOT_STRING)),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// `pulp_labels`: an object of strings; `None` when absent or `null`.
    pub fn labels(&self, key: &str) -> Result<Option<BTreeMap<String, String>>> {
        labels(key, self.0.get(key))
    }
}

/// Labels as given: an object of string → string (`None` for absent or `null`).
pub fn labels(key: &str, v: Option<&Value>) -> Result<Option<BTreeMap<String, String>>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(field(key, LABEL_VALUES)),
            })
            .collect::<Result<BTreeMap<_, _>>>()
            .map(Some),
        Some(_) => Err(field(key, LABEL_VALUES)),
    }
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// The fields a `#[derive(Deserialize)]` struct declares, asked of serde itself so the list of
/// accepted fields is the request type's.
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut probe = FieldProbe(&[]);
    let _ = T::deserialize(&mut probe);
    probe.0
}

struct FieldProbe(&'static [&'static str]);

impl<'de> de::Deserializer<'de> for &mut FieldProbe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> std::result::Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(de::Error::custom("probed"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        name: String,
        pulp_labels: Option<BTreeMap<String, String>>,
    }

    #[test]
    fn the_accepted_fields_are_the_request_types() {
        assert_eq!(field_names::<Probe>(), &["name", "pulp_labels"]);
        let e = Body::parse::<Probe>(br#"{"name": "a", "x": 1}"#).err();
        assert!(matches!(e, Some(Error::Validation(v)) if v == [("x".into(), UNEXPECTED.into())]));
        assert!(Body::parse::<Probe>(b"").is_ok());
    }

    #[test]
    fn typed_getters_word_drf_errors() {
        let b = Body::parse_known(br#"{"a": 1, "b": null, "c": ""}"#, &["a", "b", "c"]).unwrap();
        assert!(b.string("a").is_err());
        assert_eq!(b.nullable_string("b").unwrap(), Some(None));
        assert!(matches!(b.required_string("c"), Err(Error::Validation(v)) if v[0].1 == BLANK));
        assert!(matches!(b.required_string("d"), Err(Error::Validation(v)) if v[0].1 == REQUIRED));
        assert!(b.boolean("a").is_err());
    }
}
