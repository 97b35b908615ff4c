package analysis

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const (
	// maxDepth bounds the stack of open elements, and so the memory and
	// state kept per element. Deeper elements are still rendered, but as
	// plain inline content (not flagged when hidden), after a note that
	// tells the analyst the structure is no longer reliable.
	maxDepth = 512
	// maxPrefix bounds the indentation and quote marks at line starts, so
	// that deep nesting cannot multiply the output size.
	maxPrefix = 40
	// maxLinkText caps the text recorded for one link.
	maxLinkText = 1024
)

const truncatedNote = "\n[… truncated]"

// Link is a hyperlink found in an HTML body.
type Link struct {
	// Href is the target, with the tabs and newlines a browser would strip
	// removed and surrounding spaces trimmed. It is NOT safe to display.
	Href string
	// Text is the rendered link text with whitespace collapsed, capped at
	// 1 KiB. It is NOT safe to display.
	Text string
	// Hidden reports that the link sits inside an element the recipient
	// would not see (display:none and the like).
	Hidden bool
	// Tag is the element the URL came from: a, area, img, form, iframe,
	// frame, embed, object, video, audio.
	Tag string
}

// HTMLToText renders an HTML body as plain text for the analyst, without
// fetching anything. Block elements become line breaks, lists get bullets,
// tables become rows of tab-separated cells, and whitespace collapses as in
// a browser. What the recipient would not see but the analyst should is made
// explicit:
//
//	<a href="U">text</a>          text ⟨→ U⟩ (just the text if it is U)
//	<img alt="A" src="U">         [image: A ⟨U⟩ not loaded]
//	<form action="U">             [form → U]
//	<span style="display:none">   [hidden text: …]
//
// Scripts, styles, <head>, <template>, <noscript> and comments are dropped.
//
// The result is NOT safe to display: pass it to Sanitize. It is at most
// maxBytes long, ending in a note if it had to be cut; if maxBytes <= 0 it
// is empty.
func HTMLToText(src string, maxBytes int) string {
	if maxBytes <= 0 {
		return ""
	}
	limit := maxBytes - len(truncatedNote)
	if limit <= 0 {
		limit = maxBytes
	}
	r := renderer{w: textWriter{limit: limit}}
	r.render(src)
	out := r.w.String()
	if r.w.full && len(out)+len(truncatedNote) <= maxBytes {
		out += truncatedNote
	}
	return out
}

// HTMLLinks returns the links of an HTML body, <a href> and <area href>, in
// document order.
func HTMLLinks(src string) []Link {
	r := renderer{w: textWriter{limit: math.MaxInt}}
	r.render(src)
	return r.links
}

// HTMLURLs returns every URL an HTML body refers to, in document order:
// link targets (with their text, as HTMLLinks), image, frame and embedded
// object sources, and form actions. It also returns the document's text
// nodes, space-separated and without scripts, styles or the head, for
// finding URLs written out in the text. Nothing is fetched.
func HTMLURLs(src string) (refs []Link, text string) {
	r := renderer{w: textWriter{limit: math.MaxInt}, collect: true}
	r.render(src)
	return r.refs, r.visible.String()
}

// renderer walks the token stream of an HTML document and renders it through
// a textWriter. Instead of building a tree (x/net/html's parser refuses
// documents nested deeper than 512 elements, which would let a sender blank
// out the analyst's view), it keeps its own bounded stack of open elements
// and applies the few implied-end-tag rules that matter for layout.
type renderer struct {
	w      textWriter
	stack  openElements
	excess int // elements opened beyond maxDepth, not on the stack

	drop   int // open elements whose content is not rendered
	pre    int // open elements whose whitespace is kept
	hidden int // open elements the recipient would not see

	inHead   bool
	seenBody bool // <head> after this is ignored, as browsers do
	preFresh bool // the next text starts a <pre>; its first newline is dropped

	lists []list
	link  *openLink
	links []Link

	// For HTMLURLs: every URL reference, and the text nodes.
	collect bool
	refs    []Link
	visible strings.Builder
}

// ref records a URL reference for HTMLURLs.
func (r *renderer) ref(tag, u string) {
	if u = cleanURL(u); r.collect && u != "" {
		r.refs = append(r.refs, Link{Href: u, Tag: tag, Hidden: r.hidden > 0})
	}
}

type list struct {
	ordered bool
	next    int
}

type openLink struct {
	href   string
	tag    string
	text   []byte
	space  bool // whitespace owed before the next word of text
	cut    bool // text reached maxLinkText
	hidden bool
}

func (r *renderer) render(src string) {
	z := html.NewTokenizer(strings.NewReader(src))
	for !r.w.full {
		switch z.Next() {
		case html.ErrorToken:
			r.popTo(0)
			return
		case html.TextToken:
			r.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			r.start(z.Token())
		case html.EndTagToken:
			name, _ := z.TagName()
			r.end(string(name))
		}
	}
	r.popTo(0)
}

func (r *renderer) text(s string) {
	if r.inHead && r.stack.top() == "head" && strings.Trim(s, htmlSpace) != "" {
		r.closeHead() // browsers move stray text out of <head>
	}
	if r.drop > 0 {
		return
	}
	if r.collect {
		r.visible.WriteString(s)
		r.visible.WriteByte(' ')
	}
	if r.pre > 0 {
		r.preText(s)
		return
	}
	if strings.Trim(s, htmlSpace) != "" {
		r.seenBody = true
	}
	for s != "" {
		if i := strings.IndexFunc(s, notSpace); i != 0 {
			r.space()
			if i < 0 {
				return
			}
			s = s[i:]
		}
		i := strings.IndexAny(s, htmlSpace)
		if i < 0 {
			i = len(s)
		}
		r.emit(s[:i])
		s = s[i:]
	}
}

func (r *renderer) preText(s string) {
	if r.preFresh {
		s = strings.TrimPrefix(s, "\n")
		r.preFresh = false
	}
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			r.w.hardBreak()
		}
		r.emit(line)
	}
}

// emit writes content, recording it as link text if a link is open.
func (r *renderer) emit(s string) {
	r.w.content(s)
	if l := r.link; l != nil && s != "" && !l.cut {
		if l.space && len(l.text) > 0 {
			l.text = append(l.text, ' ')
		}
		l.space = false
		l.text = append(l.text, s...)
		if len(l.text) > maxLinkText {
			l.text = []byte(capBytes(string(l.text), maxLinkText))
			l.cut = true
		}
	}
}

func (r *renderer) space() {
	r.w.space()
	if r.link != nil {
		r.link.space = true
	}
}

func (r *renderer) start(t html.Token) {
	a := t.DataAtom
	if r.inHead && !headContent(a) {
		r.closeHead()
	}
	r.closeImplied(a)
	hidden := isHidden(t)
	switch {
	case isVoid(a):
		r.hide(hidden, func() { r.void(t) })
		return
	case a == atom.Html || a == atom.Body || a == atom.Tbody || a == atom.Thead ||
		a == atom.Tfoot || a == atom.Colgroup:
		return // structure that does not affect the text
	case a == atom.Head && (r.seenBody || r.inHead):
		return
	case r.stack.len() >= maxDepth:
		r.tooDeep()
		return
	}
	f := frame{name: t.Data, prefix: r.w.prefix, after: blockBreaks(a)}
	if f.after > 0 && len(r.lists) > 0 && isList(a) {
		f.after = 1 // nested lists hug their item
	}
	r.seenBody = r.seenBody || a != atom.Head
	r.w.breakLine(f.after)
	if hidden {
		f.hidden = true
		if r.hidden == 0 {
			r.w.openHidden()
		}
		r.hidden++
	}
	r.open(&f, t)
	r.stack.push(f)
}

// open applies what the element t means for the text that follows.
func (r *renderer) open(f *frame, t html.Token) {
	switch a := t.DataAtom; a {
	case atom.Head:
		r.inHead = true
		f.drop = true
	case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Title,
		atom.Noembed, atom.Noframes:
		f.drop = true
	case atom.Iframe:
		r.note("iframe", attr(t, "src"))
		f.drop = true // its content is raw text, not rendered by browsers
	case atom.Object, atom.Video, atom.Audio:
		src := attr(t, "src")
		if a == atom.Object {
			src = attr(t, "data")
		}
		r.note(t.Data, src) // the content is fallback, rendered as usual
	case atom.Pre, atom.Listing, atom.Xmp, atom.Plaintext, atom.Textarea:
		f.pre = true
		r.preFresh = true
	case atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		r.openList(f, t)
	case atom.Li:
		r.openItem(f)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		level := int(t.Data[1] - '0')
		r.w.lead = r.w.prefix + "######"[:level] + " "
		f.lead = true
	case atom.Blockquote:
		r.indent("> ")
	case atom.A:
		r.openLink(f, t)
	case atom.Form:
		r.ref("form", attr(t, "action"))
		if action := shownURL(attr(t, "action")); action != "" {
			r.emit("[form → " + action + "]")
		} else {
			r.emit("[form]")
		}
		r.w.breakLine(1)
	case atom.Td, atom.Th:
		r.w.tab()
	}
	if f.drop {
		r.drop++
	}
	if f.pre {
		r.pre++
	}
}

func (r *renderer) openList(f *frame, t html.Token) {
	if len(r.lists) > 0 && r.stack.top() != "li" {
		r.indent("  ") // a list directly in a list; items indent themselves
	}
	l := list{ordered: t.DataAtom == atom.Ol, next: 1}
	if n, err := strconv.Atoi(attr(t, "start")); err == nil && n >= 0 && n < 1e9 {
		l.next = n
	}
	r.lists = append(r.lists, l)
	f.list = true
}

func (r *renderer) openItem(f *frame) {
	bullet := "• "
	if n := len(r.lists); n > 0 && r.lists[n-1].ordered {
		bullet = strconv.Itoa(r.lists[n-1].next) + ". "
		r.lists[n-1].next++
	}
	r.w.lead = r.w.prefix + bullet
	f.lead = true
	r.indent("  ")
}

func (r *renderer) openLink(f *frame, t html.Token) {
	href := cleanURL(attr(t, "href"))
	if href == "" {
		return
	}
	r.endLink() // an <a> the implied end tags could not reach
	r.link = &openLink{href: href, tag: t.Data, hidden: r.hidden > 0}
	f.link = true
}

// endLink finishes the open link: the target is shown unless the link text
// already says it.
func (r *renderer) endLink() {
	l := r.link
	if l == nil {
		return
	}
	r.link = nil
	text := string(l.text)
	link := Link{Href: l.href, Text: text, Hidden: l.hidden, Tag: l.tag}
	r.links = append(r.links, link)
	if r.collect {
		r.refs = append(r.refs, link)
	}
	if !sameURL(text, l.href) {
		r.w.space()
		r.w.content("⟨→ " + shownURL(l.href) + "⟩")
	}
}

// void renders an element that has no content.
func (r *renderer) void(t html.Token) {
	switch t.DataAtom {
	case atom.Br:
		r.w.hardBreak()
	case atom.Hr:
		r.w.breakLine(1)
		r.emit("--------")
		r.w.breakLine(1)
	case atom.Img:
		r.image(t)
	case atom.Input:
		r.input(t)
	case atom.Embed, atom.Frame:
		r.note(t.Data, attr(t, "src"))
	case atom.Area:
		var f frame
		r.openLink(&f, t)
		r.emit(collapse(attr(t, "alt")))
		r.endLink()
	}
}

func (r *renderer) image(t html.Token) {
	s := "[image"
	if alt := collapse(attr(t, "alt")); alt != "" {
		s += ": " + alt
	}
	r.ref("img", attr(t, "src"))
	if src := shownURL(attr(t, "src")); src != "" {
		s += " ⟨" + src + "⟩"
	}
	r.space()
	r.emit(s + " not loaded]")
	r.space()
}

func (r *renderer) input(t html.Token) {
	typ := strings.ToLower(strings.TrimSpace(attr(t, "type")))
	if typ == "" {
		typ = "text"
	}
	s := "[input " + typ
	if name := collapse(attr(t, "name")); name != "" {
		s += " name=" + capBytes(name, 64)
	}
	if value := collapse(attr(t, "value")); value != "" {
		s += ` value="` + capBytes(value, 64) + `"`
	}
	r.space()
	r.emit(s + "]")
	r.space()
}

// note records embedded content that was not loaded.
func (r *renderer) note(what, src string) {
	r.ref(what, src)
	s := "[" + what
	if src = shownURL(src); src != "" {
		s += " ⟨" + src + "⟩"
	}
	r.space()
	r.emit(s + " not loaded]")
	r.space()
}

// hide runs render with its output flagged as hidden if hidden is set.
func (r *renderer) hide(hidden bool, render func()) {
	if !hidden || r.hidden > 0 {
		render()
		return
	}
	r.hidden++
	r.w.openHidden()
	render()
	r.w.closeHidden()
	r.hidden--
}

// indent extends the line prefix for the element being opened.
func (r *renderer) indent(s string) {
	if len(r.w.prefix)+len(s) <= maxPrefix {
		r.w.prefix += s
	}
}

func (r *renderer) tooDeep() {
	if r.excess == 0 {
		r.space()
		r.emit("[nesting deeper than 512 elements flattened]")
		r.space()
	}
	r.excess++
}

func (r *renderer) end(name string) {
	switch name {
	case "br": // </br> is treated as <br> by browsers
		r.w.hardBreak()
		return
	case "html", "body":
		return
	}
	if r.excess > 0 {
		r.excess--
		return
	}
	if i := r.stack.find(endScope(name), name); i >= 0 {
		r.popTo(i)
	} else if name == "p" {
		r.w.breakLine(2) // a stray </p> makes an empty paragraph
	}
}

// closeImplied closes the elements that the start tag a ends implicitly,
// such as an open <li> when the next <li> starts.
func (r *renderer) closeImplied(a atom.Atom) {
	switch a {
	case atom.A:
		r.closeIn(defaultScope, "a")
	case atom.Li:
		r.closeIn(listScope, "li")
	case atom.Dd, atom.Dt:
		r.closeIn(defaultScope, "dd", "dt")
	case atom.Td, atom.Th:
		r.closeIn(tableScope, "td", "th")
	case atom.Tr:
		r.closeIn(tableScope, "tr")
	case atom.Option:
		if r.stack.top() == "option" {
			r.popTo(r.stack.len() - 1)
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		if isHeading(r.stack.top()) {
			r.popTo(r.stack.len() - 1)
		}
	}
	if closesP(a) {
		r.closeIn(buttonScope, "p")
	}
}

func (r *renderer) closeIn(s scope, names ...string) {
	if i := r.stack.find(s, names...); i >= 0 {
		r.popTo(i)
	}
}

func (r *renderer) closeHead() {
	r.closeIn(anyScope, "head")
}

// popTo closes the open elements from the innermost down to the one at
// index i.
func (r *renderer) popTo(i int) {
	for r.stack.len() > i {
		r.close(r.stack.pop())
	}
}

func (r *renderer) close(f frame) {
	if f.link {
		r.endLink()
	}
	if f.drop {
		r.drop--
	}
	if f.pre {
		r.pre--
		r.preFresh = false
	}
	if f.list {
		r.lists = r.lists[:len(r.lists)-1]
	}
	if f.name == "head" {
		r.inHead = false
	}
	if f.hidden {
		if r.hidden--; r.hidden == 0 {
			r.w.closeHidden()
		}
	}
	if f.lead {
		r.w.lead = ""
	}
	r.w.prefix = f.prefix
	r.w.breakLine(f.after)
}
