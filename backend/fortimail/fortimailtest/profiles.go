package fortimailtest

import (
	"fmt"
	"net/http"
	"strings"
)

// profileTable is one name-keyed profile collection and its behaviour.
type profileTable struct {
	resource string // "ProfSession"
	scope    string // "system" or a domain
	objects  map[string]Object
	rules    map[string]rule
	defaults func(name string) Object
	summary  func(o Object) Object
	// inUse says why a profile cannot be deleted ("" if it can).
	inUse   func(name string) string
	created func(name string)
	deleted func(name string)
}

func (s *Server) sessionTable() profileTable {
	st := s.st
	return profileTable{
		resource: "ProfSession", scope: System, objects: st.session,
		rules: sessionRules, defaults: sessionDefaults,
		summary: func(o Object) Object { return summarize(o, sessionSummary) },
		inUse:   func(string) string { return "" },
		created: func(name string) { st.sessionLists[name] = &SessionLists{} },
		deleted: func(name string) { delete(st.sessionLists, name) },
	}
}

func (s *Server) antispamTable(scope string) profileTable {
	st := s.st
	return profileTable{
		resource: "ProfAntispam", scope: scope, objects: st.scopeProfiles(scope),
		rules: antispamRules, defaults: antispamDefaults,
		summary: func(o Object) Object {
			out := summarize(o, antispamSummary)
			if n := st.references(scope, fmt.Sprint(o["mkey"])); n > 0 {
				out["isReferenced"] = n
			}
			if scope != System {
				out["mdomain"] = scope
			}
			return out
		},
		inUse: func(name string) string {
			if st.references(scope, name) > 0 {
				return "Object is referenced by a recipient policy (ProfAntispam) "
			}
			return ""
		},
		created: func(string) {},
		deleted: func(string) {},
	}
}

// references counts the recipient policies using an antispam profile;
// they name it "name@scope", or just "name" within the same scope.
func (st *state) references(scope, name string) int {
	n := 0
	for pscope, list := range st.policies {
		for _, p := range list {
			ref, _ := p["antispam"].(string)
			base, at, ok := strings.Cut(ref, "@")
			if base == name && (ok && strings.EqualFold(at, scope) || !ok && pscope == scope) {
				n++
			}
		}
	}
	return n
}

func (t profileTable) collectionID() string {
	if t.scope == System {
		return t.resource + "Collection:"
	}
	return t.resource + "Collection:{D:" + t.scope + "}"
}

// serveProfiles answers a profile collection and its items. s.mu is held.
func (s *Server) serveProfiles(w http.ResponseWriter, r *http.Request, t profileTable, rest []string, body []byte) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		items := make([]Object, 0, len(t.objects))
		for _, k := range sortedKeys(t.objects) {
			items = append(items, t.summary(t.objects[k]))
		}
		writeCollection(w, r, t.collectionID(), items)
	case len(rest) == 1:
		s.serveProfile(w, r, t, rest[0], body)
	default:
		methodNotAllowed(w, t.resource)
	}
}

func (s *Server) serveProfile(w http.ResponseWriter, r *http.Request, t profileTable, name string, body []byte) {
	obj, exists := t.objects[name]
	id := t.resource + ":" + name
	switch {
	case r.Method == http.MethodGet && exists:
		writeObject(w, id, 1, obj)
	case r.Method == http.MethodPost && !exists:
		s.createProfile(w, t, name, body)
	case r.Method == http.MethodPost:
		invalid(w, "Duplicate object ("+t.resource+") ")
	case r.Method == http.MethodPut && exists:
		s.updateProfile(w, t, name, body)
	case r.Method == http.MethodDelete && exists:
		if why := t.inUse(name); why != "" {
			invalid(w, why)
			return
		}
		delete(t.objects, name)
		t.deleted(name)
		writeRemoved(w, t.resource, name)
	case !exists && (r.Method == http.MethodGet || r.Method == http.MethodPut || r.Method == http.MethodDelete):
		notFound(w, verbOf(r.Method), t.resource)
	default:
		methodNotAllowed(w, t.resource)
	}
}

func verbOf(method string) string {
	switch method {
	case http.MethodPut:
		return "Set"
	case http.MethodDelete:
		return "Remove"
	}
	return "Get"
}

func (s *Server) createProfile(w http.ResponseWriter, t profileTable, name string, body []byte) {
	in, ok := decodeBody(body)
	switch {
	case !ok:
		invalid(w, "Invalid JSON body ")
	case len(name) > 35:
		invalid(w, fmt.Sprintf("Invalid value for mkey: %q (at most 35 characters) ", name))
	case in["mkey"] != nil && in["mkey"] != name:
		invalid(w, "Invalid value for mkey: does not match the URL ")
	default:
		if msg := s.st.check(t.rules, in); msg != "" {
			invalid(w, msg)
			return
		}
		obj := merge(t.defaults(name), in)
		obj["mkey"] = name
		t.objects[name] = obj
		t.created(name)
		writeObject(w, t.resource+":"+name, 2, obj)
	}
}

func (s *Server) updateProfile(w http.ResponseWriter, t profileTable, name string, body []byte) {
	in, ok := decodeBody(body)
	switch {
	case !ok:
		invalid(w, "Invalid JSON body ")
	case in["mkey"] != nil && in["mkey"] != name:
		invalid(w, "Invalid value for mkey: an object cannot be renamed ")
	default:
		if msg := s.st.check(t.rules, in); msg != "" {
			invalid(w, msg)
			return
		}
		obj := merge(t.objects[name], in)
		t.objects[name] = obj
		writeObject(w, t.resource+":"+name, 5, obj)
	}
}
