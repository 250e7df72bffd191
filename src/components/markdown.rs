//! Renders the lesson Markdown model as elements. Everything is text or a
//! known element: nothing from a lesson file is ever interpreted as HTML.

use redis_lessons::markdown::{Block, Inline};
use yew::prelude::*;

pub fn render_inlines(inlines: &[Inline]) -> Html {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) => html! { { t.clone() } },
            Inline::Code(c) => html! { <code>{ c.clone() }</code> },
            Inline::Strong(x) => html! { <strong>{ render_inlines(x) }</strong> },
            Inline::Emphasis(x) => html! { <em>{ render_inlines(x) }</em> },
            Inline::Link { text, href } => {
                let external = href.starts_with("http://") || href.starts_with("https://");
                if external {
                    html! { <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ render_inlines(text) }</a> }
                } else {
                    html! { <a href={href.clone()}>{ render_inlines(text) }</a> }
                }
            }
        })
        .collect()
}

pub fn render_blocks(blocks: &[Block]) -> Html {
    blocks
        .iter()
        .map(|b| match b {
            Block::Heading(1, x) => html! { <h1>{ render_inlines(x) }</h1> },
            Block::Heading(2, x) => html! { <h2>{ render_inlines(x) }</h2> },
            Block::Heading(3, x) => html! { <h3>{ render_inlines(x) }</h3> },
            Block::Heading(_, x) => html! { <h4>{ render_inlines(x) }</h4> },
            Block::Paragraph(x) => html! { <p>{ render_inlines(x) }</p> },
            Block::Quote(x) => html! { <blockquote>{ render_inlines(x) }</blockquote> },
            Block::Rule => html! { <hr /> },
            Block::List { ordered: true, items } => html! {
                <ol>{ for items.iter().map(|i| html! { <li>{ render_inlines(i) }</li> }) }</ol>
            },
            Block::List { ordered: false, items } => html! {
                <ul>{ for items.iter().map(|i| html! { <li>{ render_inlines(i) }</li> }) }</ul>
            },
            Block::Code { lang, text } => html! {
                <pre class={classes!("code-block", format!("lang-{lang}"))}><code>{ text.clone() }</code></pre>
            },
            Block::Table { header, rows } => html! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>{ for header.iter().map(|c| html! { <th scope="col">{ render_inlines(c) }</th> }) }</tr></thead>
                        <tbody>
                            { for rows.iter().map(|r| html! {
                                <tr>{ for r.iter().map(|c| html! { <td>{ render_inlines(c) }</td> }) }</tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            },
        })
        .collect()
}
