//! "Scaling out": several Redis servers in one page — a master with two
//! replicas, or a three-master cluster — with consoles pointed at any
//! node, node controls (stop/start, cut/restore a link, link delay,
//! restart), a topology view with offsets and lag, a slot map and each
//! node's keys. One clock drives them all, moved by real time.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::browser;
use crate::components::console::Console;
use crate::components::node_keys::NodeKeys;
use crate::i18n::{t, tf, K};
use crate::state::scaling::{NodeView, Preset, Role, Scaling, ScalingHandle};
use crate::state::session::Revision;
use redis_lessons::TopologyKind;

/// Longest step of real time the clock takes at once (a tab that slept
/// does not replay minutes of replication in one go).
const MAX_STEP_MS: f64 = 500.0;

#[derive(Properties, PartialEq)]
pub struct ScalingProviderProps {
    pub children: Html,
    /// The groups of servers to build.
    pub kinds: Vec<TopologyKind>,
    /// New consoles follow redirects (`redis-cli -c`).
    #[prop_or(true)]
    pub follow: bool,
    /// A lesson's setup lines, run on the first server.
    #[prop_or_default]
    pub setup: Vec<String>,
}

/// Builds the servers and gives them to the consoles and views; a browser
/// interval moves their clock with real time.
#[function_component(ScalingProvider)]
pub fn scaling_provider(props: &ScalingProviderProps) -> Html {
    let lab = {
        let (kinds, follow, setup) = (props.kinds.clone(), props.follow, props.setup.clone());
        use_state(move || {
            let start = browser::now_ms() as i64;
            let mut scaling = Scaling::new(&kinds, start, start as u64, follow);
            scaling.run_setup(&setup);
            Rc::new(RefCell::new(scaling))
        })
    };
    let revision = use_reducer(Revision::default);
    let bump = {
        let dispatcher = revision.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(()))
    };
    {
        let lab = (*lab).clone();
        let dispatcher = revision.dispatcher();
        use_effect_with((), move |_| {
            let last = Rc::new(std::cell::Cell::new(browser::now_ms()));
            let interval = gloo_timers::callback::Interval::new(100, move || {
                let now = browser::now_ms();
                let step = (now - last.get()).clamp(0.0, MAX_STEP_MS);
                last.set(now);
                // A command may be running: try again next time.
                let Ok(mut s) = lab.try_borrow_mut() else { return };
                if !s.paused {
                    s.advance(step as i64);
                }
                drop(s);
                dispatcher.dispatch(());
            });
            move || drop(interval)
        });
    }
    let handle = ScalingHandle { lab: (*lab).clone(), revision: revision.0, bump };
    html! {
        <ContextProvider<ScalingHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<ScalingHandle>>
    }
}

#[derive(Properties, PartialEq)]
pub struct ScalingPageProps {
    /// The topology to start with (`replicas`, `cluster`).
    #[prop_or_default]
    pub preset: Option<String>,
}

#[function_component(ScalingPage)]
pub fn scaling_page(props: &ScalingPageProps) -> Html {
    let first = props.preset.as_deref().and_then(Preset::from_code).unwrap_or(Preset::Replicas);
    let preset = use_state(move || first);
    let choose = |p: Preset| {
        let preset = preset.clone();
        Callback::from(move |_: MouseEvent| preset.set(p))
    };
    let presets = Preset::ALL.iter().map(|&p| {
        let label = match p {
            Preset::Replicas => t(K::PresetReplicas),
            Preset::Cluster => t(K::PresetCluster),
            Preset::ClusterReplicas => t(K::PresetClusterReplicas),
        };
        html! {
            <button type="button" class="preset" data-preset={p.code()} aria-pressed={(*preset == p).to_string()}
                onclick={choose(p)}>{ label }</button>
        }
    });
    html! {
        <section class="scaling-page">
            <div class="page-head">
                <h1>{ t(K::ScalingTitle) }</h1>
                <p class="lead">{ t(K::ScalingLead) }</p>
            </div>
            <div class="presets" role="group" aria-label={t(K::Presets)}>{ for presets }</div>
            if *preset == Preset::ClusterReplicas {
                <p class="muted preset-hint">{ t(K::ClusterFailoverHint) }</p>
            }
            <ScalingProvider key={preset.code()} kinds={preset.kinds()}>
                <ScalingWorkbench />
            </ScalingProvider>
        </section>
    }
}

/// The consoles, the topology view and the slot map of one topology.
#[function_component(ScalingWorkbench)]
pub fn scaling_workbench() -> Html {
    let handle = use_context::<ScalingHandle>().expect("ScalingProvider");
    let consoles = use_state(|| (vec![1u32, 2], 3u32));
    let add = {
        let consoles = consoles.clone();
        Callback::from(move |_: MouseEvent| {
            let (mut open, next) = (*consoles).clone();
            open.push(next);
            consoles.set((open, next + 1));
        })
    };
    let (views, cluster, last_slot, last_key, now_ms, paused) = {
        let s = handle.lab.borrow();
        (s.views(), s.is_cluster(), s.last_slot, s.last_key.clone(), s.now_ms(), s.paused)
    };
    let node_count = views.len();
    let panels = consoles.0.iter().map(|&n| {
        let on_close = (n > 2).then(|| {
            let consoles = consoles.clone();
            Callback::from(move |_| {
                let (mut open, next) = (*consoles).clone();
                open.retain(|&x| x != n);
                consoles.set((open, next));
            })
        });
        // Console 1 starts on the first node, console 2 on the second…
        let node = (n as usize - 1) % node_count.max(1);
        html! { <div key={n} class="panel-slot"><Console client={n} {node} {on_close} /></div> }
    });
    let toggle_clock = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            let mut s = handle.lab.borrow_mut();
            s.paused = !s.paused;
            drop(s);
            handle.bump.emit(());
        })
    };
    let advance = |ms: i64| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.lab.borrow_mut().advance(ms);
            handle.bump.emit(());
        })
    };
    let time = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now_ms as f64));
    let shown = format!(
        "{:02}:{:02}:{:02}.{}",
        time.get_hours(),
        time.get_minutes(),
        time.get_seconds(),
        time.get_milliseconds() / 100
    );
    html! {
        <div class="scaling">
            <div class="scaling-consoles">
                <div class="clients-bar" role="toolbar" aria-label={t(K::Clients)}>
                    <button type="button" onclick={add}>{ t(K::AddConsole) }</button>
                    <span class="topo-clock" role="group" aria-label={t(K::Clock)}>
                        <span class="clock-time" title={t(K::TopologyClockTitle)}>{ shown }</span>
                        <button type="button" onclick={toggle_clock} aria-pressed={paused.to_string()}>
                            { if paused { t(K::Play) } else { t(K::Pause) } }
                        </button>
                        <button type="button" onclick={advance(1_000)} aria-label={t(K::Advance1s)}>{"+1 s"}</button>
                        <button type="button" onclick={advance(10_000)} aria-label={t(K::Advance10s)}>{"+10 s"}</button>
                    </span>
                </div>
                <div class="console-grid multi">{ for panels }</div>
            </div>
            <aside class="topology" aria-label={t(K::Topology)}>
                <h2>{ t(K::Topology) }</h2>
                <ul class="nodes">
                    { for views.iter().map(|v| html! { <NodeCard key={v.port} view={v.clone()} /> }) }
                </ul>
                if cluster {
                    <SlotMap {last_slot} {last_key} />
                }
            </aside>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NodeCardProps {
    view: NodeView,
}

/// One node: role, state, link and its controls, offset and lag, slots, keys.
#[function_component(NodeCard)]
fn node_card(props: &NodeCardProps) -> Html {
    let handle = use_context::<ScalingHandle>().expect("ScalingProvider");
    let v = &props.view;
    let i = v.index;
    let act = |f: fn(&mut Scaling, usize)| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            f(&mut handle.lab.borrow_mut(), i);
            handle.bump.emit(());
        })
    };
    let on_delay = {
        let handle = handle.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let ms = input.value().parse::<i64>().unwrap_or(0);
            handle.lab.borrow_mut().set_delay(i, ms);
            handle.bump.emit(());
        })
    };
    let (keys, total) = handle.lab.borrow().keys(i);
    let role = match &v.role {
        Role::Master => t(K::RoleMaster).to_string(),
        Role::Replica(Some(port)) => tf(K::RoleReplicaOf, &[("port", port)]),
        Role::Replica(None) => t(K::RoleReplicaDown).to_string(),
    };
    let is_replica = matches!(v.role, Role::Replica(_));
    // Links that can be cut or slowed: a replica's to its master, a cluster node's bus.
    let linked = is_replica || v.cluster || v.cut;
    let state = if v.running { t(K::NodeRunning) } else { t(K::NodeStopped) };
    let link = match (is_replica || v.cut, v.cut) {
        (_, true) => Some(t(K::LinkCut).to_string()),
        (true, false) => Some(v.link.unwrap_or("-").to_string()),
        _ => None,
    };
    let delay_id = format!("delay-{}", v.port);
    let slots =
        v.slots.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect::<Vec<_>>();
    let shown_keys = keys.iter().take(8).map(|(k, ty)| {
        html! { <li><code>{ String::from_utf8_lossy(k).into_owned() }</code>{" "}<span class="type-badge">{ *ty }</span></li> }
    });
    html! {
        <li class={classes!("node", (!v.running).then_some("stopped"), is_replica.then_some("replica"))}
            data-port={v.port.to_string()}>
            <div class="node-head">
                <strong class="node-name">{ format!("127.0.0.1:{}", v.port) }</strong>
                <span class="node-role">{ role }</span>
                <span class={classes!("node-state", if v.running { "up" } else { "down" })}>{ state }</span>
            </div>
            <dl class="node-facts">
                <dt>{ t(K::ReplOffset) }</dt><dd class="offset">{ v.offset }</dd>
                if let Some(lag) = v.lag {
                    <dt>{ t(K::ReplLag) }</dt><dd class="lag">{ tf(K::Bytes, &[("n", &lag)]) }</dd>
                }
                if is_replica && v.in_flight > 0 {
                    <dt>{ t(K::InFlight) }</dt><dd>{ tf(K::Bytes, &[("n", &v.in_flight)]) }</dd>
                }
                if let Some(link) = link {
                    <dt>{ t(K::MasterLink) }</dt><dd class="link">{ link }</dd>
                }
                if !slots.is_empty() {
                    <dt>{ t(K::Slots) }</dt><dd class="slots">{ slots.join(", ") }</dd>
                }
                <dt>{ t(K::Keys) }</dt><dd class="key-count">{ total }</dd>
            </dl>
            if !keys.is_empty() {
                <ul class="node-keys" aria-label={tf(K::KeysOf, &[("port", &v.port)])}>
                    { for shown_keys }
                    if total > 8 { <li class="more">{ tf(K::MoreKeys, &[("n", &(total - 8))]) }</li> }
                </ul>
            }
            if total > 0 {
                <NodeKeys node={i} port={v.port} />
            }
            <div class="node-controls" role="group" aria-label={tf(K::ControlsOf, &[("port", &v.port)])}>
                if v.running {
                    <button type="button" class="stop" onclick={act(Scaling::stop)}>{ t(K::StopNode) }</button>
                } else {
                    <button type="button" class="start" onclick={act(Scaling::start)}>{ t(K::StartNode) }</button>
                }
                <button type="button" class="restart" onclick={act(Scaling::restart)} title={t(K::RestartTitle)}>{ t(K::RestartNode) }</button>
                if linked {
                    if v.cut {
                        <button type="button" class="restore" onclick={act(Scaling::restore)}>{ t(K::RestoreLink) }</button>
                    } else {
                        <button type="button" class="cut" onclick={act(Scaling::cut)}>{ t(K::CutLink) }</button>
                    }
                }
            </div>
            if linked {
                <div class="delay">
                    <label for={delay_id.clone()}>{ tf(K::LinkDelay, &[("ms", &v.delay_ms)]) }</label>
                    <input id={delay_id} type="range" min="0" max="2000" step="50" value={v.delay_ms.to_string()}
                        oninput={on_delay} />
                </div>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct SlotMapProps {
    last_slot: Option<u16>,
    last_key: Option<Vec<u8>>,
}

/// Colours for the owners on the slot map (and their legend).
const OWNER_CLASSES: [&str; 6] = ["owner-0", "owner-1", "owner-2", "owner-3", "owner-4", "owner-5"];
/// Slots per row of the map.
const ROW: u16 = 128;

/// The 16384 slots as a 128×128 grid coloured by owner; the slot of the
/// last key a console used is marked.
#[function_component(SlotMap)]
fn slot_map(props: &SlotMapProps) -> Html {
    let handle = use_context::<ScalingHandle>().expect("ScalingProvider");
    let (owners, ports) = {
        let s = handle.lab.borrow();
        (s.slot_owners(), s.ports())
    };
    // Runs of one owner within a row become one rectangle.
    let mut rects = Vec::new();
    let mut start = 0usize;
    while start < owners.len() {
        let owner = owners[start];
        let row_end = (start / ROW as usize + 1) * ROW as usize;
        let mut end = start + 1;
        while end < row_end && end < owners.len() && owners[end] == owner {
            end += 1;
        }
        let class = owner.map(|o| OWNER_CLASSES[o % OWNER_CLASSES.len()]).unwrap_or("unowned");
        let (x, y) = (start % ROW as usize, start / ROW as usize);
        rects.push(html! {
            <rect class={class} x={x.to_string()} y={y.to_string()} width={(end - start).to_string()} height="1" />
        });
        start = end;
    }
    let mark = props.last_slot.map(|slot| {
        let (x, y) = (slot % ROW, slot / ROW);
        html! {
            <>
                <circle class="slot-ring" cx={(x as f32 + 0.5).to_string()} cy={(y as f32 + 0.5).to_string()} r="4.5" />
                <rect class="slot-mark" x={(x as i32 - 1).to_string()} y={(y as i32 - 1).to_string()} width="3" height="3" />
            </>
        }
    });
    let caption = match (&props.last_key, props.last_slot) {
        (Some(key), Some(slot)) => {
            let owner = owners.get(slot as usize).copied().flatten().and_then(|o| ports.get(o));
            let owner = owner.map(|p| format!("127.0.0.1:{p}")).unwrap_or_else(|| "-".into());
            tf(K::SlotOfKey, &[("key", &String::from_utf8_lossy(key)), ("slot", &slot), ("node", &owner)])
        }
        _ => t(K::SlotMapHint).to_string(),
    };
    let legend = ports.iter().enumerate().filter(|(i, _)| owners.contains(&Some(*i))).map(|(i, p)| {
        html! { <li><span class={classes!("swatch", OWNER_CLASSES[i % OWNER_CLASSES.len()])}></span>{ format!("127.0.0.1:{p}") }</li> }
    });
    html! {
        <figure class="slot-map">
            <figcaption>
                <strong>{ t(K::SlotMap) }</strong>
                <span class="slot-caption" data-slot={props.last_slot.map(|s| s.to_string()).unwrap_or_default()}>{ caption }</span>
            </figcaption>
            <svg viewBox="-1 -1 130 130" role="img" aria-label={t(K::SlotMapLabel)} preserveAspectRatio="xMidYMid meet">
                { for rects }
                { mark.unwrap_or_default() }
            </svg>
            <ul class="slot-legend">{ for legend }</ul>
        </figure>
    }
}
