//! Hand-written inline SVG line charts (no chart library): per-second
//! series that share one time axis, drawn up to a "revealed" second so a
//! run can play out, with readable ticks, units, a legend, a text summary
//! and the numbers as a table for screen readers and keyboard users.
//! Colours come from CSS classes, so light and dark themes both work.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{t, tf, K};

/// Drawing area in SVG user units; the SVG scales to its container.
const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

/// One line: a value per second (index = second); `NaN` leaves a gap.
#[derive(Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// CSS class giving the colour (`series-nocache`, `series-aside`, …).
    pub class: &'static str,
    pub dashed: bool,
    pub values: Rc<Vec<f64>>,
}

#[derive(Properties, PartialEq)]
pub struct LineChartProps {
    /// Used for element ids (`chart-<id>`).
    pub id: AttrValue,
    pub title: AttrValue,
    /// The unit of the values, shown on the y axis ("ms", "requests/s", …).
    pub unit: AttrValue,
    pub series: Vec<Series>,
    /// Length of the time axis in seconds (the whole run, so it fills as it plays).
    pub seconds: usize,
    /// Seconds revealed so far.
    pub revealed: usize,
    /// A fixed top of the y axis (e.g. 100 for percentages).
    #[prop_or_default]
    pub y_max: Option<f64>,
    #[prop_or_default]
    pub log_scale: bool,
    /// One or two sentences saying what the chart shows.
    pub summary: AttrValue,
    /// Render the per-second table (costly while playing, so only at the end).
    #[prop_or(true)]
    pub table: bool,
}

#[function_component(LineChart)]
pub fn line_chart(props: &LineChartProps) -> Html {
    let seconds = props.seconds.max(1);
    let revealed = props.revealed.min(seconds);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;

    let data_max =
        props.series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let data_min_pos = props
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold(f64::INFINITY, f64::min);

    let scale = if props.log_scale {
        let lo = if data_min_pos.is_finite() { 10f64.powf(data_min_pos.log10().floor()) } else { 1.0 };
        let hi = 10f64.powf(data_max.max(lo * 10.0).log10().ceil());
        Scale::Log { lo, hi }
    } else {
        let top = props.y_max.unwrap_or(data_max).max(1e-9);
        let step = nice_step(top, 4.0);
        Scale::Linear { hi: (top / step).ceil().max(1.0) * step, step }
    };
    let x_of = |i: f64| LEFT + plot_w * i / seconds as f64;
    let y_of = |v: f64| TOP + plot_h * (1.0 - scale.fraction(v));

    let y_ticks: Html = scale
        .ticks()
        .into_iter()
        .map(|v| {
            let y = y_of(v);
            html! {
                <g class="tick">
                    <line class="grid" x1={fmt(LEFT)} x2={fmt(WIDTH - RIGHT)} y1={fmt(y)} y2={fmt(y)} />
                    <text x={fmt(LEFT - 6.0)} y={fmt(y + 4.0)} text-anchor="end">{ tick_label(v) }</text>
                </g>
            }
        })
        .collect();
    let x_step = time_step(seconds as f64);
    let x_ticks: Html = (0..)
        .map(|k| k as f64 * x_step)
        .take_while(|&t| t <= seconds as f64 + 1e-9)
        .map(|t| {
            let x = x_of(t);
            html! {
                <g class="tick">
                    <line class="axis-mark" x1={fmt(x)} x2={fmt(x)} y1={fmt(TOP + plot_h)} y2={fmt(TOP + plot_h + 5.0)} />
                    <text x={fmt(x)} y={fmt(TOP + plot_h + 18.0)} text-anchor="middle">{ time_label(t, seconds as f64) }</text>
                </g>
            }
        })
        .collect();

    let lines: Html = props
        .series
        .iter()
        .map(|s| {
            let mut d = String::new();
            let mut pen_down = false;
            for (i, &v) in s.values.iter().enumerate().take(revealed) {
                let drawable = v.is_finite() && !(props.log_scale && v <= 0.0);
                if !drawable {
                    pen_down = false;
                    continue;
                }
                let (x, y) = (x_of(i as f64 + 0.5), y_of(v));
                d.push_str(if pen_down { " L" } else { " M" });
                d.push_str(&format!("{x:.1} {y:.1}"));
                pen_down = true;
            }
            let class = classes!("line", s.class, s.dashed.then_some("dashed"));
            html! { <path {class} d={d} /> }
        })
        .collect();

    let cursor = (revealed < seconds).then(|| {
        let x = x_of(revealed as f64);
        html! { <line class="cursor" x1={fmt(x)} x2={fmt(x)} y1={fmt(TOP)} y2={fmt(TOP + plot_h)} /> }
    });

    // The per-second table is only built while its <details> is open: a long
    // run has thousands of rows.
    let table_open = use_state(|| false);
    let on_toggle = {
        let table_open = table_open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::Element = e.target_unchecked_into();
            table_open.set(details.has_attribute("open"));
        })
    };
    let title_id = format!("chart-{}-title", props.id);
    let desc_id = format!("chart-{}-desc", props.id);
    html! {
        <figure class="chart" id={format!("chart-{}", props.id)}>
            <figcaption id={title_id.clone()} class="chart-title">
                { props.title.clone() }
                <span class="chart-unit">{ format!(" ({})", props.unit) }</span>
                if props.log_scale { <span class="chart-unit">{ t(K::ChartLogScale) }</span> }
            </figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img"
                 aria-labelledby={title_id} aria-describedby={desc_id.clone()}
                 preserveAspectRatio="xMidYMid meet">
                { y_ticks }
                <line class="axis" x1={fmt(LEFT)} x2={fmt(LEFT)} y1={fmt(TOP)} y2={fmt(TOP + plot_h)} />
                <line class="axis" x1={fmt(LEFT)} x2={fmt(WIDTH - RIGHT)} y1={fmt(TOP + plot_h)} y2={fmt(TOP + plot_h)} />
                { x_ticks }
                <text class="axis-label" x={fmt(LEFT + plot_w / 2.0)} y={fmt(HEIGHT - 4.0)} text-anchor="middle">
                    { t(K::ChartTime) }
                </text>
                <text class="axis-label" transform={format!("translate(13 {:.1}) rotate(-90)", TOP + plot_h / 2.0)}
                      text-anchor="middle">{ props.unit.clone() }</text>
                { cursor }
                { lines }
            </svg>
            <ul class="legend">
                { for props.series.iter().map(|s| html! {
                    <li>
                        <svg class="swatch" viewBox="0 0 24 8" aria-hidden="true">
                            <path class={classes!("line", s.class, s.dashed.then_some("dashed"))} d="M1 4 L23 4" />
                        </svg>
                        { s.label.clone() }
                    </li>
                }) }
            </ul>
            <p class="chart-summary" id={desc_id}>{ props.summary.clone() }</p>
            <details class="chart-table" ontoggle={on_toggle}>
                <summary>{ tf(K::ChartTable, &[("title", &props.title)]) }</summary>
                if props.table && *table_open {
                    <div class="table-scroll" tabindex="0">
                        <table>
                            <thead><tr>
                                <th scope="col">{ t(K::ChartSecond) }</th>
                                { for props.series.iter().map(|s| html! { <th scope="col">{ format!("{} ({})", s.label, props.unit) }</th> }) }
                            </tr></thead>
                            <tbody>
                                { for (0..revealed).map(|i| html! {
                                    <tr>
                                        <th scope="row">{ i }</th>
                                        { for props.series.iter().map(|s| {
                                            let v = s.values.get(i).copied().unwrap_or(f64::NAN);
                                            html! { <td>{ if v.is_finite() { cell_label(v) } else { "—".to_string() } }</td> }
                                        }) }
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                } else {
                    <p>{ t(K::ChartTableLater) }</p>
                }
            </details>
        </figure>
    }
}

#[derive(Clone, Copy)]
enum Scale {
    Linear { hi: f64, step: f64 },
    Log { lo: f64, hi: f64 },
}

impl Scale {
    /// Where `v` sits between the bottom (0) and the top (1) of the axis.
    fn fraction(self, v: f64) -> f64 {
        match self {
            Scale::Linear { hi, .. } => (v / hi).clamp(0.0, 1.0),
            Scale::Log { lo, hi } => ((v.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10())).clamp(0.0, 1.0),
        }
    }

    fn ticks(self) -> Vec<f64> {
        match self {
            Scale::Linear { hi, step } => {
                let n = (hi / step).round() as usize;
                (0..=n.min(20)).map(|k| k as f64 * step).collect()
            }
            Scale::Log { lo, hi } => {
                let (a, b) = (lo.log10().round() as i32, hi.log10().round() as i32);
                (a..=b.min(a + 12)).map(|e| 10f64.powi(e)).collect()
            }
        }
    }
}

/// A 1/2/2.5/5 × 10ⁿ step giving about `target` intervals up to `top`.
fn nice_step(top: f64, target: f64) -> f64 {
    let raw = (top / target).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let n = raw / magnitude;
    // A little slack, so 2002 ms gets 500-ms steps up to 2500 rather than 1000-ms steps.
    let n = n / 1.01;
    let m = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 2.5 {
        2.5
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * magnitude
}

/// A time step a person would choose: 1 s, 5 s, 30 s, 1 min, 5 min, …
fn time_step(seconds: f64) -> f64 {
    const STEPS: [f64; 12] = [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0];
    let raw = seconds / 6.0;
    STEPS.iter().copied().find(|&s| s >= raw).unwrap_or(3600.0)
}

fn time_label(t: f64, total: f64) -> String {
    let t = t.round() as u64;
    if total > 120.0 {
        format!("{}:{:02}", t / 60, t % 60)
    } else {
        format!("{t} s")
    }
}

fn tick_label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 1000.0 && v.fract() == 0.0 {
        let s = format!("{v:.0}");
        let (head, tail) = s.split_at(s.len() - 3);
        format!("{head},{tail}")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

fn cell_label(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_numbers() {
        assert_eq!(nice_step(2000.0, 4.0), 500.0);
        assert_eq!(nice_step(7.0, 4.0), 2.0);
        assert_eq!(nice_step(100.0, 4.0), 25.0);
        assert_eq!(nice_step(2002.0, 4.0), 500.0);
        assert_eq!(time_step(180.0), 30.0);
        assert_eq!(time_step(20.0), 5.0);
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(tick_label(2000.0), "2,000");
        assert_eq!(tick_label(12000.0), "12,000");
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(time_label(90.0, 180.0), "1:30");
        assert_eq!(time_label(15.0, 20.0), "15 s");
    }

    #[test]
    fn log_ticks_cover_the_range() {
        let s = Scale::Log { lo: 1.0, hi: 10000.0 };
        assert_eq!(s.ticks(), vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        assert!((s.fraction(100.0) - 0.5).abs() < 1e-9);
    }
}
