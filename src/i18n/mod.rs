//! Every string the page itself writes, in every language it speaks.
//!
//! Keys are the variants of [`K`]; each language is one file (`en.rs`,
//! `fr.rs`) with a single exhaustive `match` from key to text. A language
//! that lacks a key, or has a key English lacks, does not compile; the tests
//! below also check that no text is left empty and that every translation
//! uses the same `{placeholders}` and the same number of plural forms as
//! English.
//!
//! Texts may hold `{name}` placeholders, filled by [`tf`]. A text with plural
//! forms lists them separated by `|` (one form, then the other), chosen by
//! [`tn`] from a count with the language's own rule ("0 leçon" in French,
//! "0 lessons" in English).
//!
//! Redis's replies never go through here: they stay as Redis prints them.

mod en;
// In the app, languages other than English are fetched when chosen
// (scripts/postbuild.mjs writes each catalogue as `i18n/<lang>.json`);
// the tests read them here.
#[cfg(test)]
mod fr;

use std::cell::{Cell, RefCell};
use std::fmt::Display;

/// A language of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Fr];

    /// The BCP 47 code (`<html lang>`, `?lang=`, `lessons/<code>/`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// `fr`, `fr-CA`, `FR` → French; anything unknown → None.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        Lang::ALL.iter().copied().find(|l| l.code() == primary)
    }

    fn text(self, k: K) -> &'static str {
        match self {
            Lang::En => en::text(k),
            #[cfg(test)]
            Lang::Fr => fr::text(k),
            #[cfg(not(test))]
            _ => loaded_text(self, k),
        }
    }

    /// Which plural form (0: one, 1: other) a count takes.
    fn plural_form(self, n: usize) -> usize {
        match self {
            Lang::En => usize::from(n != 1),
            Lang::Fr => usize::from(n > 1),
        }
    }
}

/// The language chosen: `?lang=` first, then the learner's saved choice,
/// then the browser's preferred languages in order, else English.
pub fn pick(query: Option<&str>, saved: Option<&str>, preferred: &[String]) -> Lang {
    query
        .and_then(Lang::from_code)
        .or_else(|| saved.and_then(Lang::from_code))
        .or_else(|| preferred.iter().find_map(|p| Lang::from_code(p)))
        .unwrap_or(Lang::En)
}

/// `lang=xx` in a query string (`a=1&lang=fr`).
pub fn query_lang(query: &str) -> Option<&str> {
    query.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("lang="))
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    /// Catalogues fetched this visit: every key's text, in `K::ALL` order.
    static LOADED: RefCell<Vec<(Lang, &'static [&'static str])>> = const { RefCell::new(Vec::new()) };
}

/// A text of a fetched catalogue (English until it is there).
#[cfg(not(test))]
#[inline(never)]
fn loaded_text(l: Lang, k: K) -> &'static str {
    LOADED
        .with(|c| c.borrow().iter().find(|(x, _)| *x == l).map(|(_, texts)| texts[k as usize]))
        .unwrap_or_else(|| en::text(k))
}

/// True when the language's texts must be fetched before the page can speak it.
pub fn needs_loading(l: Lang) -> bool {
    !cfg!(test) && l != Lang::En && !LOADED.with(|c| c.borrow().iter().any(|(x, _)| *x == l))
}

/// Fetches a language's catalogue (a JSON array of every key's text, in
/// `K::ALL` order); the page can switch to it once this succeeds.
#[cfg_attr(test, allow(dead_code))]
pub async fn load(l: Lang) -> Result<(), String> {
    if !needs_loading(l) {
        return Ok(());
    }
    let text = crate::browser::fetch_build_file(&format!("i18n/{}.json", l.code())).await?;
    let texts = parse_catalogue(&text)?;
    LOADED.with(|c| c.borrow_mut().push((l, Vec::leak(texts))));
    Ok(())
}

/// A catalogue file's texts, checked: one string per key.
#[cfg_attr(test, allow(dead_code))]
fn parse_catalogue(json: &str) -> Result<Vec<&'static str>, String> {
    let bad = || "the file is not this version's catalogue".to_string();
    let value = js_sys::JSON::parse(json).map_err(|_| bad())?;
    let array: js_sys::Array = wasm_bindgen::JsCast::dyn_into(value).map_err(|_| bad())?;
    if array.length() as usize != K::ALL.len() {
        return Err(bad());
    }
    array.iter().map(|v| v.as_string().map(|s| &*String::leak(s)).ok_or_else(bad)).collect()
}

/// The page's language now.
pub fn lang() -> Lang {
    CURRENT.with(Cell::get)
}

/// Sets the page's language (the app re-renders itself after this).
pub fn set_lang(l: Lang) {
    CURRENT.with(|c| c.set(l));
}

/// A text in the page's language.
pub fn t(k: K) -> &'static str {
    lang().text(k)
}

/// A text with its `{placeholders}` filled.
pub fn tf(k: K, args: &[(&str, &dyn Display)]) -> String {
    fill(t(k), args)
}

/// A text with plural forms, the form chosen by `n` (also offered as `{n}`
/// unless `args` names it).
pub fn tn(k: K, n: usize, args: &[(&str, &dyn Display)]) -> String {
    let l = lang();
    let text = l.text(k);
    let form = text.split('|').nth(l.plural_form(n)).or_else(|| text.split('|').next_back()).unwrap_or(text);
    // `args` may give `{n}` its own form (digits grouped, say); else it is the count.
    let mut all: Vec<(&str, &dyn Display)> = args.to_vec();
    all.push(("n", &n));
    fill(form, &all)
}

fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end)) if args.iter().any(|(n, _)| *n == name) => {
                if let Some((_, v)) = args.iter().find(|(n, _)| *n == name) {
                    out.push_str(&v.to_string());
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

macro_rules! keys {
    ($($(#[$doc:meta])* $k:ident),* $(,)?) => {
        /// A text of the page (see the module docs).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum K { $($(#[$doc])* $k),* }
        impl K {
            /// Every key, in the order of the catalogue files.
            pub const ALL: &'static [K] = &[$(K::$k),*];
        }
    };
}

keys! {
    // The frame
    SkipToContent, NavPages, NavLessons, NavPlayground, NavLatency, NavTypes, NavReference, Tagline,
    // Scaling out
    NavScaling, ScalingTitle, ScalingLead, Presets, PresetReplicas, PresetCluster, PresetClusterReplicas, ClusterFailoverHint,
    AddConsole, TopologyClockTitle, Topology, RoleMaster, RoleReplicaOf, RoleReplicaDown, NodeRunning, NodeStopped,
    LinkCut, ReplOffset, ReplLag, Bytes, InFlight, MasterLink, Slots, KeysOf, MoreKeys, BrowseKeysOf, ValueAsCommands, NoKeyMatches, ControlsOf, StopNode,
    StartNode, RestartNode, RestartTitle, CutLink, RestoreLink, LinkDelay, SlotMap, SlotMapLabel, SlotMapHint,
    SlotOfKey, ConsoleNode, FollowRedirects, FollowRedirectsTitle,
    LanguageLabel,
    // Start page and lesson map
    HomeTitle, HomeIntro1, HomeIntroTry, HomeIntroAnd, HomeIntroTab, HomeIntroHelp, HomePlaygroundButton,
    HomePlaygroundText, HomeTryNow,
    CourseTitle, LessonsComplete, ExportProgress, ImportProgress, ImportProgressFile, ImportFailed, ImportUnreadable,
    SavedProgressUnreadable, DownloadOldSave, LessonFileUnreadable, StatusComplete, StatusInProgress,
    StatusNotStarted,
    AuthorsSummary, AuthorsIntro, AuthorsAddress, AuthorsLoad, AuthorsPaste, AuthorsOpen, AuthorsProblemAt,
    AuthorsSameSite,
    // A lesson
    NoSuchLesson, NoSuchLessonText, SeeAllLessons, LessonFileProblem, NoLessonFile, OpenFromMap,
    OwnLessonFile, LessonPosition, ChallengesPassed, LessonComplete, ResetLesson, ResetLessonTitle, Embed,
    DataNote, EmbedInstructions, Copy, LessonsNav, Workbench, ClientN, ConsoleTitle, MonitorClientId, NotTranslated,
    AuthorCheck, AuthorRan, AuthorBlocks, AuthorClean, AuthorOutputs, AuthorDiffer, AuthorChallenge,
    Run, RunAsClient, WaitThenRun, WaitThenRunAsClient, RunBlockLabel, BlockCommands, BlockPrinted, Varies,
    BlockDiffersLabel, BlockDiffers, MismatchCommand, MismatchClientReceives, MismatchExpects, MismatchPrints,
    Nothing, BlockMatches,
    Challenge, YourTurn, TryLabel, TryPlaceholder, TryPrinted, Check, ShowHint, ShowSolution, HideSolution,
    WellDone, NotYet, CheckRan, CheckGot, PassedBefore, RunSolution, SolutionOn, OpenLatencyDemo, UnknownWidget,
    // Not found
    PageNotFound, BackToStart,
    // Consoles
    ConsoleFor, ClientIdTitle, Copied, CopyTranscript, CopyTranscriptOf, CopyAsCli, CopyAsCliOf, CopyAsCliTitle,
    CopyAsPython, CopyAsPythonOf, CopyAsPythonTitle, CloseClient, OutputOf, EarlierLines, Waiting, ReadingTitle,
    CommandFor, Blocked, Arguments,
    // Clock
    Clock, EngineClock, EngineClockTitle, ClockControls, Play, Pause, Advance1s, Advance10s, Advance1min,
    // Key browser
    Keys, Database, FilterKeys, KeyPattern, KeyCount, KeysRemoved, NoKeysYet, NoExpiry, ExpiresIn,
    // Playground
    Playground, PlaygroundLead1, PlaygroundLead2, Clients, AddClient, MonitorPanel, KeysAndServer, Server,
    MemoryWord, MemoryUsed, MemoryUsedValue, CloseMonitor, MonitorLog,
    // Value views
    KeyGone, ValueOf, AndMore, StringMeta, BitsCaption, BitsFirstBytes, BitsSet, BitTitle, HllInvalid,
    HllEstimate, HllMeta, HllDense, HllSparse, HllHeatmap, HllRegister, ListMeta, ListLabel, ListHead, ListTail,
    HashMeta, HashField, HashValue, SetMeta, SetLabel, ZsetMeta, GeoMeta, GeoLastSearch, GeoPlane, GeoAcross,
    StreamEntries, StreamMeta, StreamGroups, StreamOlder, StreamLabel, StreamCursorTitle, StreamCursor,
    StreamConsumers, StreamGroup,
    // Types and reference
    TypesTitle, TypesLead, TypesUnavailable, RefTitle, RefLead, RefFilter, RefFilterPlaceholder, RefShown,
    RefSince,
    // Playground dataset bar
    DatasetWhatImport, DatasetWhatFile, DatasetWhatLink, DatasetNotRun, DatasetRan, DatasetRanFailed,
    ExamplesLoaded, ExamplesMissing, ConfirmFlush, AllEmpty, ShareTooLarge, SaveUnreadable, SaveUnreadableRest,
    SavePartial, SavePartialRest, Dismiss, SharedTitle, SharedCarries, RunTheseCommands, Ignore, SharedUnusable,
    Close, DatasetLabel, LoadExamples, Reset, Export, Import, Share, NotSaved, SavedHere, PasteCommands,
    ChooseFile, ShareLink,
    // Latency demo
    StrategyNoCache, StrategyAside, StrategyLock, StrategyEarly, LatTitle, LatIntro1, LatIntro2, LatIntro3,
    LatRunGroup, LatRunUncached, LatRunCached, LatRunBoth, LatPlaying, LatComplete, LatVirtualTime, LatSkip,
    LatCompleteStatus, LatLoadGenerator, LatLocust, LatAb, LatUsers, LatSpawnRate, LatUsersPerS, LatDuration,
    LatThinkFrom, LatThinkTo, LatProducts, LatIds, LatPopularity, LatUniform, LatExponent, LatAbRequests,
    LatAbConcurrency, LatAbNote, LatApiLegend, LatWorkers, LatThreads, LatDbLatency, LatJitter, LatCacheRtt,
    LatOverhead, LatTtl, LatSeed, LatStrategy, LatOptAside, LatOptLock, LatOptEarly, LatLogAxis, LatResetForm,
    LatCharts, LatChartRt, LatChartRps, LatChartUsers, LatChartHits, LatUnitRps, LatUnitUsers, LatUnitPct,
    LatRtSummary, LatRpsSummary, LatUsersSummary, LatHitSummary, ChartLogScale, ChartTime, ChartTable,
    ChartSecond, ChartTableLater, LatTabs, LatPrinted, LatResults, LatStatistic, LatStatRequests,
    LatStatFailures, LatStatMedian, LatStatP95, LatStatMax, LatStatAverage, LatStatRps, LatStatHitRatio,
    LatStatDbHits, LatStatDbHitsPerProduct, LatAbReport, LatCommands, LatNeverRedis, LatMonitorNote, LatNewest,
    LatKeysEnd, LatAvailableLater, LatCacheEmpty, LatKey, LatTtlLeft, LatNoTtl, LatCodeUncached, LatCodeCached,
    LatCodeLock, LatCodeEarly, LatPathHit, LatPathMiss, LatPathDb, LatPathWait, LatPathRefresh, LatCodeIdle,
    LatHighlighted, LatThen, LatHighlightedEnd, LatExplainTitle, LatFormula, LatNoThink, LatThinkBound,
    LatResponseBound, LatWhyRps, LatEachUser, LatMeasured, LatAbInFlight, LatAbSlots, LatAbFormula,
    LatAbMeasured, LatLockTitle, LatLockText, LatStampedeTitle, LatStampedeText, LatWithLock, LatChooseLock,
    LatEarlyTitle, LatEarlyText, LatSpikesNear, LatExpiryTitle, LatExpiryText, LatEarlyShown, LatChooseEarly,
    LatUncachedTitle, LatUncachedText,
    // Latency demo: API log
    LatApiLog, LatApiLogLabel, LatEarlierLines, LatWaitingFirst, LatDropped,
    // Server panel and clock badge
    BadgeRealTime, BadgeVirtual, BadgeVirtualPaused, StatKeys, StatHits, StatMisses, StatHitRatio, StatExpired,
    StatEvicted, StatCommands, StatOps, StatClients,
    // The page before the engine has loaded (index.html, filled by scripts/postbuild.mjs)
    PageTitle, BootStarting, BootConsole, BootFailed,
    // Long replies and key rows
    LongMore, ShowAll, ShowLess, CopyShort, CopiedShort, TtlTitle, TtlExpired,
    // Latency demo: what is wrong with the form
    ValNumber, ValWhole, ValTooBig, FieldUsers, FieldSpawnRate, FieldDuration, FieldThinkMin, FieldThinkMax,
    FieldAbRequests, FieldAbConcurrency, FieldProducts, FieldZipf, FieldWorkers, FieldDbLatency, FieldDbJitter,
    FieldCacheRtt, FieldOverhead, FieldTtl, FieldSeed, ValUsers, ValSpawnRate, ValDuration, ValThink, ValAb,
    ValProducts, ValWorkers, ValLatencyTtl, ValZipf,
    // Saved data, progress files and share links that cannot be used
    LoadNotDataset, LoadIncompatible, LoadBadLine, LoadUnknownCommand, LoadTooMany, ShareTooLong,
    ShareNotBase64, ShareNotText, ShareUnusable, ProgressOtherVersion, ProgressNotFile, ProgressBadLine,
    // Keys removed by eviction, memory limit
    EvictedBy, EvictedByWhy, NoMemoryLimit,
    // Playground: Redis files and panel tabs
    RdbCannotWrite, RdbTooLarge, RdbReplace, RdbUnreadable, RdbOpened, RdbNotOpened, RedisFiles,
    RedisFilesTitle, DownloadRdbTitle, DownloadRdb, DownloadAofTitle, DownloadAof, OpenRdb, OpenRdbLabel,
    DropRdb, ShownPanel,
    // Files fetched when needed: a lesson's text, another language's catalogue
    LessonLoading, LessonLoadFailed, Retry, LangLoading, LangLoadFailed,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<String> {
        let mut found: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
            .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders_and_plural_forms() {
        let mut problems = Vec::new();
        for &l in Lang::ALL {
            for &k in K::ALL {
                let (ours, english) = (l.text(k), Lang::En.text(k));
                if ours.trim().is_empty() {
                    problems.push(format!("{}: {k:?} is empty", l.code()));
                }
                let forms = |s: &str| s.split('|').count();
                if forms(ours) != forms(english) {
                    problems.push(format!("{}: {k:?} has {} forms, English {}", l.code(), forms(ours), forms(english)));
                }
                for (i, (a, b)) in ours.split('|').zip(english.split('|')).enumerate() {
                    let (mut pa, mut pb) = (placeholders(a), placeholders(b));
                    // `{n}` may be left out of a form ("une leçon").
                    pa.retain(|p| p != "n");
                    pb.retain(|p| p != "n");
                    if pa != pb {
                        problems.push(format!("{}: {k:?} form {i} uses {pa:?}, English {pb:?}", l.code()));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn catalogue_files_follow_the_keys_list_which_is_k_all() {
        // scripts/postbuild.mjs writes i18n/<lang>.json in the order of the
        // `keys!` list as written here (comments dropped), and the app reads
        // the file's texts by `K as usize`.
        let src = include_str!("mod.rs");
        let start = src.find("\nkeys! {").expect("keys! list") + "\nkeys! {".len();
        let body = &src[start..start + src[start..].find("\n}").expect("end of keys!")];
        let listed: Vec<String> = body
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .flat_map(|l| l.split(','))
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
        let all: Vec<String> = K::ALL.iter().map(|k| format!("{k:?}")).collect();
        assert_eq!(listed, all);
        assert!(K::ALL.iter().enumerate().all(|(i, k)| *k as usize == i));
    }

    #[test]
    fn translations_are_not_english_left_in_place() {
        // A few texts that must differ in French: the catalogue is really used.
        for k in [K::NavLessons, K::YourTurn, K::NotYet, K::Check, K::ShowHint, K::CourseTitle] {
            assert_ne!(Lang::Fr.text(k), Lang::En.text(k), "{k:?}");
        }
    }

    #[test]
    fn placeholders_and_plurals_are_filled() {
        set_lang(Lang::En);
        // The form follows the total: "1 of 3 challenges", "0 of 1 challenge".
        assert_eq!(tn(K::ChallengesPassed, 1, &[("passed", &0)]), "0 of 1 challenge passed");
        assert_eq!(tn(K::ChallengesPassed, 3, &[("passed", &1)]), "1 of 3 challenges passed");
        assert_eq!(tn(K::KeyCount, 0, &[]), "0 keys");
        set_lang(Lang::Fr);
        assert_eq!(tn(K::ChallengesPassed, 1, &[("passed", &0)]), "Défi réussi : 0 sur 1");
        assert_eq!(tn(K::ChallengesPassed, 3, &[("passed", &2)]), "Défis réussis : 2 sur 3");
        assert_eq!(tn(K::KeyCount, 0, &[]), "0 clé");
        assert_eq!(tn(K::KeyCount, 2, &[]), "2 clés");
        assert_eq!(tf(K::ConsoleFor, &[("n", &2)]), "Console du client 2");
        set_lang(Lang::En);
        assert_eq!(fill("{a} {b} {c", &[("a", &1)]), "1 {b} {c");
    }

    #[test]
    fn the_language_comes_from_the_address_then_the_saved_choice_then_the_browser() {
        let prefs = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(pick(Some("fr"), Some("en"), &prefs(&["en-US"])), Lang::Fr);
        assert_eq!(pick(Some("xx"), Some("fr"), &[]), Lang::Fr);
        assert_eq!(pick(None, None, &prefs(&["de-DE", "fr-CA", "en"])), Lang::Fr);
        assert_eq!(pick(None, None, &prefs(&["de"])), Lang::En);
        assert_eq!(query_lang("?theme=dark&lang=fr"), Some("fr"));
        assert_eq!(query_lang("theme=dark"), None);
    }
}
