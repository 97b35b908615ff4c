package analysis

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// What the renderer needs to know about elements, attributes and styles.

// htmlSpace is ASCII whitespace as HTML defines it.
const htmlSpace = " \t\n\r\f"

func notSpace(r rune) bool { return !strings.ContainsRune(htmlSpace, r) }

// maxURLShown caps URLs written into the rendered text; Link has them whole.
const maxURLShown = 1024

// isVoid reports whether a is an element without content or end tag.
func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Basefont, atom.Bgsound, atom.Br, atom.Col,
		atom.Embed, atom.Frame, atom.Hr, atom.Img, atom.Input, atom.Keygen,
		atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// headContent reports whether a may appear in <head>; any other start tag
// ends the head, as in a browser.
func headContent(a atom.Atom) bool {
	switch a {
	case atom.Base, atom.Basefont, atom.Bgsound, atom.Head, atom.Link, atom.Meta,
		atom.Noframes, atom.Noscript, atom.Script, atom.Style, atom.Template,
		atom.Title:
		return true
	}
	return false
}

// blockBreaks returns the line breaks around the element a: 2 for a blank
// line, 1 for a line break, 0 for inline elements.
func blockBreaks(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Pre, atom.Listing, atom.Xmp, atom.Plaintext, atom.Blockquote,
		atom.Dl, atom.Figure, atom.Fieldset, atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		return 2
	case atom.Address, atom.Article, atom.Aside, atom.Caption, atom.Center,
		atom.Dd, atom.Details, atom.Dialog, atom.Div, atom.Dt, atom.Figcaption,
		atom.Footer, atom.Form, atom.Header, atom.Hgroup, atom.Legend, atom.Li,
		atom.Main, atom.Nav, atom.Optgroup, atom.Option, atom.Section,
		atom.Select, atom.Summary, atom.Table, atom.Textarea, atom.Tr:
		return 1
	}
	return 0
}

// closesP reports whether the start tag a ends an open <p>.
func closesP(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center,
		atom.Dd, atom.Details, atom.Dialog, atom.Dir, atom.Div, atom.Dl, atom.Dt,
		atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header,
		atom.Hgroup, atom.Hr, atom.Li, atom.Listing, atom.Main, atom.Menu,
		atom.Nav, atom.Ol, atom.P, atom.Plaintext, atom.Pre, atom.Section,
		atom.Summary, atom.Table, atom.Ul, atom.Xmp:
		return true
	}
	return false
}

func isList(a atom.Atom) bool {
	return a == atom.Ul || a == atom.Ol || a == atom.Menu || a == atom.Dir
}

func isHeading(name string) bool {
	return len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6'
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// isHidden reports whether the recipient would not see the element t.
func isHidden(t html.Token) bool {
	for _, a := range t.Attr {
		switch {
		case a.Key == "hidden",
			a.Key == "style" && hiddenStyle(a.Val),
			a.Key == "type" && t.DataAtom == atom.Input && strings.EqualFold(strings.TrimSpace(a.Val), "hidden"):
			return true
		}
	}
	return false
}

// hiddenStyle reports whether an inline style hides its element's text by
// the means spammers and phishers use to slip text past readers while still
// feeding it to filters.
func hiddenStyle(style string) bool {
	var clipped, empty bool
	for decl := range strings.SplitSeq(style, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		val = strings.ToLower(strings.TrimSpace(val))
		val = strings.TrimSpace(strings.TrimSuffix(val, "!important"))
		n, unit, isNum := cssNumber(val)
		switch prop {
		case "display":
			if val == "none" {
				return true
			}
		case "visibility":
			if val == "hidden" || val == "collapse" {
				return true
			}
		case "mso-hide": // Outlook's own display:none
			if val == "all" {
				return true
			}
		case "color":
			if val == "transparent" {
				return true
			}
		case "opacity":
			if unit == "%" {
				n /= 100
			}
			if isNum && n <= 0.05 {
				return true
			}
		case "font-size":
			if isNum && tinyFont(n, unit) {
				return true
			}
		case "text-indent", "left", "top":
			if isNum && n <= -999 { // moved off screen
				return true
			}
		case "height", "max-height", "width", "max-width":
			empty = empty || isNum && n == 0
		case "overflow":
			clipped = clipped || val == "hidden"
		}
	}
	return clipped && empty
}

func tinyFont(n float64, unit string) bool {
	switch {
	case n < 0:
		return false // invalid, ignored by browsers
	case n == 0:
		return true
	case unit == "px", unit == "pt":
		return n <= 1
	case unit == "em", unit == "rem":
		return n <= 0.1
	case unit == "%":
		return n <= 10
	}
	return false
}

// cssNumber parses a CSS number with an optional unit, such as "0", "1px"
// or "-9999em".
func cssNumber(val string) (n float64, unit string, ok bool) {
	i := 0
	for i < len(val) && strings.IndexByte("+-.0123456789", val[i]) >= 0 {
		i++
	}
	n, err := strconv.ParseFloat(val[:i], 64)
	return n, val[i:], err == nil
}

// cleanURL removes what a browser removes from a URL attribute: ASCII tabs
// and newlines anywhere, and C0 controls and spaces at either end.
func cleanURL(u string) string {
	if strings.ContainsAny(u, "\t\n\r") {
		u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
	}
	return strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
}

// shownURL returns u for display in the rendered text: data URLs, which can
// be megabytes of base64, are summarised, and anything else is capped.
func shownURL(u string) string {
	u = cleanURL(u)
	if len(u) > 64 && strings.EqualFold(u[:5], "data:") {
		if meta, _, ok := strings.Cut(u, ","); ok {
			return capBytes(meta, 64) + ",… (" + strconv.Itoa(len(u)) + " bytes)"
		}
	}
	return capBytes(u, maxURLShown)
}

// sameURL reports whether link text merely repeats the link target.
func sameURL(text, href string) bool {
	t := strings.TrimSuffix(text, "/")
	h := strings.TrimSuffix(href, "/")
	return t == h || "mailto:"+t == h || "tel:"+t == h
}

// collapse collapses the whitespace in an attribute value.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// capBytes cuts s to at most n bytes at a rune boundary, ending it with
// "…" if cut.
func capBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
