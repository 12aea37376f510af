//! `berth clean [REGISTRY]`: the interactive clean-up. Repositories by size with totals → pick
//! one → its images (tags grouped by digest, newest first, with dates) → pick by numbers and
//! ranges (`1 3..5`), narrow with `/REGEX` → what goes and the bytes → confirm → remove (by
//! digest: the image with all its tags) → on berth, offer garbage collection, dry run first.
//! Needs a terminal.
use super::error::{usage, ClientError, Result};
use super::images::Image;
use super::output::{self, Format, Table};
use std::io::{BufRead, IsTerminal, Write};

fn ask(prompt: &str) -> Result<String> {
    output::emit(prompt);
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| super::error::failed(format!("reading the terminal: {e}")))?;
    if n == 0 {
        return Err(ClientError::Aborted("end of input; nothing changed".into()));
    }
    let _ = std::io::stdout().flush();
    Ok(line.trim().to_string())
}

fn yes(prompt: &str) -> Result<bool> {
    Ok(matches!(
        ask(&format!("{prompt} [y/N] "))?.to_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// `1 3..5,7` → the 0-based indexes below `n`, in order, without repeats.
pub fn selection(text: &str, n: usize) -> std::result::Result<Vec<usize>, String> {
    let mut out = vec![];
    for part in text.split([' ', ',']).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once("..") {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let parse = |s: &str| -> std::result::Result<usize, String> {
            match s.parse::<usize>() {
                Ok(i) if (1..=n).contains(&i) => Ok(i - 1),
                _ => Err(format!("'{part}': pick numbers from 1 to {n}")),
            }
        };
        let (a, b) = (parse(a)?, parse(b)?);
        for i in a.min(b)..=a.max(b) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    Ok(out)
}

pub async fn run(registry: Option<&str>) -> Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "berth clean is interactive: run it on a terminal (scripts: berth rm, berth prune)",
        ));
    }
    let t = super::refs::parse(registry)?;
    let (reg, berth) = super::connect(&t.registry).await?;
    let mut repos = if berth {
        super::ls::berth_lines(&reg, &t.name).await?
    } else {
        super::ls::v2_lines(&reg, &t.name).await?
    };
    repos.sort_by(|a, b| b.size.cmp(&a.size).then(a.name.cmp(&b.name)));
    if repos.is_empty() {
        outln!("{} has no repositories", reg.host);
        return Ok(());
    }
    let mut table = Table::new(&[">#", "REPOSITORY", ">TAGS", ">SIZE", "LAST PUSH"]);
    for (i, r) in repos.iter().enumerate() {
        table.row(vec![
            (i + 1).to_string(),
            r.name.clone(),
            r.tags.to_string(),
            output::size(r.size),
            output::date(r.last_push),
        ]);
    }
    let total: i64 = repos.iter().map(|r| r.size).sum();
    table.row(vec![
        String::new(),
        "TOTAL".into(),
        repos.iter().map(|r| r.tags).sum::<i64>().to_string(),
        output::size(total),
        String::new(),
    ]);
    output::emit(&table.render());
    let pick = loop {
        let a = ask("Repository (number, q to quit): ")?;
        if a == "q" {
            return Ok(());
        }
        match selection(&a, repos.len()) {
            Ok(v) if v.len() == 1 => break v[0],
            Ok(_) => outln!("pick one repository"),
            Err(e) => outln!("{e}"),
        }
    };
    let name = repos[pick].name.clone();
    let mut all = super::tags::load(&reg, berth, &name).await?;
    all.sort_by(|a, b| (b.pushed.or(b.created), &a.tags).cmp(&(a.pushed.or(a.created), &b.tags)));
    let mut shown: Vec<Image> = all.clone();
    let chosen: Vec<Image> = loop {
        let table = super::tags::images_table(&shown);
        output::emit(&table.render());
        let a = ask("Images to remove (e.g. 1 3..5; /REGEX filters tags, / shows all; q quits): ")?;
        if a == "q" {
            return Ok(());
        }
        if let Some(re) = a.strip_prefix('/') {
            let f = super::tags::Filter::new((!re.is_empty()).then_some(re), None)?;
            shown = all
                .iter()
                .filter(|i| re.is_empty() || i.tags.iter().any(|t| f.keeps(t)))
                .cloned()
                .collect();
            continue;
        }
        match selection(&a, shown.len()) {
            Ok(v) if !v.is_empty() => break v.into_iter().map(|i| shown[i].clone()).collect(),
            Ok(_) => outln!("nothing picked"),
            Err(e) => outln!("{e}"),
        }
    };
    let bytes: i64 = chosen.iter().map(|i| i.size).sum();
    let tags: usize = chosen.iter().map(|i| i.tags.len()).sum();
    outln!("These go from {name}, with all their tags:");
    let mut table = Table::new(&["DIGEST", ">SIZE", "TAGS"]);
    for i in &chosen {
        table.row(vec![
            super::tags::short(&i.digest),
            output::size(i.size),
            i.tags.join(", "),
        ]);
    }
    output::emit(&table.render());
    let images = output::count(chosen.len() as i64, "image", "images");
    outln!(
        "{images}, {}, up to {} (layers other images share stay)",
        output::count(tags as i64, "tag", "tags"),
        output::size(bytes)
    );
    if !yes(&format!("Remove {images} from {name}?"))? {
        outln!("nothing changed");
        return Ok(());
    }
    let mut bar = output::Progress::new("removing", chosen.len());
    let mut done = vec![];
    for i in &chosen {
        bar.step(&super::tags::short(&i.digest));
        let r = match berth {
            true => super::rm::berth_remove(&reg, &name, &i.digest, true).await?,
            false => super::rm::v2_remove(&reg, &name, &i.digest, true).await?,
        };
        done.push(r["message"].as_str().unwrap_or_default().to_string());
    }
    drop(bar);
    for m in done {
        outln!("{m}");
    }
    if berth && yes("Look for space to free (garbage collection dry run)?")? {
        super::gc::gc(Some(&reg.base), true, true, true, None, Format::Table).await?;
        if yes("Run garbage collection now?")? {
            super::gc::gc(Some(&reg.base), false, true, true, None, Format::Table).await?;
        }
    } else if !berth {
        outln!("The registry frees the bytes in its own garbage collection (distribution: registry garbage-collect).");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn selections_take_numbers_and_ranges_once_each() {
        assert_eq!(super::selection("1 3..5,4", 6), Ok(vec![0, 2, 3, 4]));
        assert_eq!(super::selection("5..4", 6), Ok(vec![3, 4]));
        assert!(super::selection("0", 6).is_err());
        assert!(super::selection("7", 6).is_err());
        assert!(super::selection("x", 6).is_err());
    }
}
