package analysis

// frame is an open element and what to undo when it closes.
type frame struct {
	name   string
	after  int    // line breaks owed after the element
	prefix string // the writer's prefix to restore

	drop, pre, hidden, list, link, lead bool
}

// scope is a set of elements that bound the reach of end tags and implied
// ends, as in the "has an element in scope" checks of the HTML parsing
// algorithm. They keep, for example, a stray </div> inside a table cell
// from closing a hidden <div> around the table, which a browser would not
// do either.
type scope uint8

const (
	anyScope scope = iota // no barriers
	defaultScope
	listScope
	buttonScope
	tableScope
	numScopes
)

// barrier reports whether an open element called name ends the scope.
func (s scope) barrier(name string) bool {
	switch s {
	case anyScope:
		return false
	case tableScope:
		return name == "table" || name == "template" || name == "html"
	case listScope:
		if name == "ol" || name == "ul" {
			return true
		}
	case buttonScope:
		if name == "button" {
			return true
		}
	}
	switch name {
	case "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template":
		return true
	}
	return false
}

// endScope returns the scope within which the end tag </name> finds its
// element.
func endScope(name string) scope {
	switch name {
	case "td", "th", "tr", "table":
		return tableScope
	case "li":
		return listScope
	case "p":
		return buttonScope
	}
	return defaultScope
}

// openElements is the stack of open elements. Besides the frames it indexes
// where each element name and each scope barrier sits, so that find takes
// constant time: scanning the stack instead would make a document of many
// end tags under deep nesting take time proportional to both.
type openElements struct {
	frames   []frame
	byName   map[string][]int // stack indexes of the open elements, by name
	barriers [numScopes][]int // stack indexes of the barriers of each scope
}

func (o *openElements) len() int { return len(o.frames) }

// top returns the name of the innermost open element.
func (o *openElements) top() string {
	if len(o.frames) == 0 {
		return ""
	}
	return o.frames[len(o.frames)-1].name
}

func (o *openElements) push(f frame) {
	i := len(o.frames)
	o.frames = append(o.frames, f)
	if o.byName == nil {
		o.byName = make(map[string][]int)
	}
	o.byName[f.name] = append(o.byName[f.name], i)
	for s := range numScopes {
		if s.barrier(f.name) {
			o.barriers[s] = append(o.barriers[s], i)
		}
	}
}

func (o *openElements) pop() frame {
	i := len(o.frames) - 1
	f := o.frames[i]
	o.frames = o.frames[:i]
	if at := o.byName[f.name]; len(at) > 1 {
		o.byName[f.name] = at[:len(at)-1]
	} else {
		delete(o.byName, f.name) // names are attacker-chosen: keep only open ones
	}
	for s := range numScopes {
		if b := o.barriers[s]; len(b) > 0 && b[len(b)-1] == i {
			o.barriers[s] = b[:len(b)-1]
		}
	}
	return f
}

// find returns the stack index of the innermost open element with one of
// the given names, or -1 if there is none or a barrier of scope s lies
// between it and the top of the stack.
func (o *openElements) find(s scope, names ...string) int {
	at := -1
	for _, name := range names {
		if i := o.byName[name]; len(i) > 0 {
			at = max(at, i[len(i)-1])
		}
	}
	if b := o.barriers[s]; at >= 0 && len(b) > 0 && b[len(b)-1] > at {
		return -1
	}
	return at
}
