//! TEMPORARY placeholder until the token service lands: no Bearer token verifies.
#[derive(Debug, Clone)]
pub struct Claims {
    pub sub: String,
}

impl Claims {
    pub fn allows(&self, _t: &str, _name: &str, _action: &str) -> bool {
        false
    }
}

#[derive(Clone, Default)]
pub struct Tokens;

impl Tokens {
    pub fn verify(&self, _jwt: &str, _aud: &str) -> Result<Claims, ()> {
        Err(())
    }
}
