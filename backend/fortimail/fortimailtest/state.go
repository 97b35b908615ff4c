package fortimailtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// SeedData is the whole state of the emulated appliance. Objects are given
// as JSON-like maps with wire names; profiles may be partial (the missing
// fields take the defaults of a new profile).
type SeedData struct {
	Domains         []Object // DomainSetting objects, "mkey" the FQDN
	SessionProfiles []Object // "mkey" the name
	// SessionLists are the session profiles' own lists, by profile name.
	SessionLists map[string]SessionLists
	// AntispamProfiles by scope: "system" or a domain FQDN.
	AntispamProfiles map[string][]Object
	// RecipientPolicies by scope ("system" or a domain); "mkey" is the
	// policy ID (assigned when missing).
	RecipientPolicies  map[string][]Object
	Greylist           []Object
	AutoExemptGreylist []Object
	// SenderLists are the system and domain block/safe lists, by scope.
	SenderLists map[string]SenderLists
	// ActionProfiles are antispam action profile names accepted in action
	// fields besides the built-in ones.
	ActionProfiles []string
}

// SessionLists are a session profile's four lists.
type SessionLists struct {
	SenderSafe, SenderBlock, RecipientSafe, RecipientBlock []string
}

// SenderLists are one scope's block and safe lists.
type SenderLists struct {
	Block, Safe []string
}

// builtinActions are the action names every appliance accepts.
var builtinActions = []string{"", "<None>", "Discard", "Reject", "SystemQuarantine", "UserQuarantine", "TagSubject", "Encrypt_Pull", "Replace"}

// state is the appliance's configuration. Objects hold JSON values decoded
// with UseNumber, exactly as they will be sent back.
type state struct {
	domains      map[string]Object
	session      map[string]Object
	sessionLists map[string]*SessionLists
	antispam     map[string]map[string]Object // scope → name → profile
	policies     map[string][]Object          // scope → policies in order
	greylist     []Object
	autoexempt   []Object
	senderLists  map[string]*SenderLists
	actions      map[string]bool
	nextPolicy   int
}

// Seed replaces the whole state.
func (s *Server) Seed(d SeedData) {
	st := newState(normalize(d))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
}

// Snapshot returns a copy of the current state, for tests to check what a
// client changed without going through the client.
func (s *Server) Snapshot() SeedData {
	s.mu.Lock()
	defer s.mu.Unlock()
	return normalize(s.st.export())
}

// normalize deep-copies d through JSON so that stored values have exactly
// the types a request body decodes to, and no map is shared with the
// caller.
func normalize(d SeedData) SeedData {
	data, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("fortimailtest: seed: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out SeedData
	if err := dec.Decode(&out); err != nil {
		panic(fmt.Sprintf("fortimailtest: seed: %v", err))
	}
	return out
}

func newState(d SeedData) *state {
	st := &state{
		domains: map[string]Object{}, session: map[string]Object{},
		sessionLists: map[string]*SessionLists{}, antispam: map[string]map[string]Object{System: {}},
		policies: map[string][]Object{}, senderLists: map[string]*SenderLists{System: {}},
		actions: map[string]bool{}, greylist: d.Greylist, autoexempt: d.AutoExemptGreylist,
	}
	for _, a := range append(slices.Clone(builtinActions), d.ActionProfiles...) {
		st.actions[a] = true
	}
	for _, o := range d.Domains {
		name := strings.ToLower(fmt.Sprint(o["mkey"]))
		st.domains[name] = merge(domainDefaults(name), o)
		st.antispam[name] = map[string]Object{}
		st.senderLists[name] = &SenderLists{}
	}
	for _, o := range d.SessionProfiles {
		name := fmt.Sprint(o["mkey"])
		st.session[name] = merge(sessionDefaults(name), o)
		st.sessionLists[name] = &SessionLists{}
	}
	for name, l := range d.SessionLists {
		if st.sessionLists[name] != nil {
			*st.sessionLists[name] = l
		}
	}
	for scope, list := range d.AntispamProfiles {
		for _, o := range list {
			name := fmt.Sprint(o["mkey"])
			st.scopeProfiles(scope)[name] = merge(antispamDefaults(name), o)
		}
	}
	st.seedPolicies(d.RecipientPolicies)
	for scope, l := range d.SenderLists {
		st.senderLists[strings.ToLower(scope)] = &l
	}
	return st
}

// scopeProfiles returns the antispam profiles of a scope, creating the map.
func (st *state) scopeProfiles(scope string) map[string]Object {
	scope = strings.ToLower(scope)
	if st.antispam[scope] == nil {
		st.antispam[scope] = map[string]Object{}
	}
	return st.antispam[scope]
}

func (st *state) seedPolicies(byScope map[string][]Object) {
	for _, scope := range sortedKeys(byScope) {
		for _, o := range byScope[scope] {
			p := merge(policyDefaults(), o)
			if _, ok := p["mkey"]; !ok {
				p["mkey"] = json.Number(fmt.Sprint(st.nextPolicy + 1))
			}
			if n, err := p["mkey"].(json.Number).Int64(); err == nil && int(n) > st.nextPolicy {
				st.nextPolicy = int(n)
			}
			p["mdomain"] = scope
			st.policies[strings.ToLower(scope)] = append(st.policies[strings.ToLower(scope)], p)
		}
	}
}

func (st *state) export() SeedData {
	d := SeedData{
		SessionLists: map[string]SessionLists{}, AntispamProfiles: map[string][]Object{},
		RecipientPolicies: map[string][]Object{}, SenderLists: map[string]SenderLists{},
		Greylist: st.greylist, AutoExemptGreylist: st.autoexempt,
	}
	for _, k := range sortedKeys(st.domains) {
		d.Domains = append(d.Domains, st.domains[k])
	}
	for _, k := range sortedKeys(st.session) {
		d.SessionProfiles = append(d.SessionProfiles, st.session[k])
		d.SessionLists[k] = *st.sessionLists[k]
	}
	for scope, profiles := range st.antispam {
		for _, k := range sortedKeys(profiles) {
			d.AntispamProfiles[scope] = append(d.AntispamProfiles[scope], profiles[k])
		}
	}
	for scope, list := range st.policies {
		d.RecipientPolicies[scope] = list
	}
	for scope, l := range st.senderLists {
		d.SenderLists[scope] = *l
	}
	for a := range st.actions {
		if !slices.Contains(builtinActions, a) {
			d.ActionProfiles = append(d.ActionProfiles, a)
		}
	}
	slices.Sort(d.ActionProfiles)
	return d
}

// merge returns base overlaid with over (neither is modified).
func merge(base, over Object) Object {
	out := make(Object, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		switch k {
		case "objectID", "reqAction", "nodePermission", "isReferenced":
			continue
		}
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
