package fortimailtest

import (
	"net/http"
	"strconv"
	"strings"
)

// route dispatches an authenticated request. Resource names match
// case-insensitively, as clients spell them both ways.
func (s *Server) route(w http.ResponseWriter, r *http.Request, segs []string, body []byte) {
	res, rest := strings.ToLower(segs[0]), segs[1:]
	switch res {
	case "domain":
		s.serveDomainTree(w, r, rest, body)
	case "profsession":
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(rest) >= 2 {
			s.serveSessionList(w, r, rest)
			return
		}
		s.serveProfiles(w, r, s.sessionTable(), rest, body)
	case "profantispam":
		s.mu.Lock()
		defer s.mu.Unlock()
		s.serveProfiles(w, r, s.antispamTable(System), rest, body)
	case "asgreylist":
		s.serveReadOnly(w, r, rest, "AsGreylist", func() []Object { return s.st.greylist })
	case "asgreylistautoexempt", "asgreylisyautoexempt": // the 6.2 docs' spelling too
		s.serveReadOnly(w, r, rest, "AsGreylistAutoexempt", func() []Object { return s.st.autoexempt })
	case s.senderListResource():
		s.serveSenderList(w, r, rest, body)
	default:
		// What FortiMail answers for a resource it does not have.
		writeError(w, http.StatusBadRequest, errNotFound, "Failed to retrieve object ")
	}
}

// serveDomainTree answers /domain/, /domain/<fqdn> and the domain-level
// resources under it.
func (s *Server) serveDomainTree(w http.ResponseWriter, r *http.Request, rest []string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(rest) == 0 {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, "DomainInfo")
			return
		}
		items := make([]Object, 0, len(s.st.domains))
		for _, k := range sortedKeys(s.st.domains) {
			items = append(items, summarize(s.st.domains[k], domainSummary))
		}
		writeCollection(w, r, "DomainInfoCollection:", items)
		return
	}
	scope := strings.ToLower(rest[0])
	if scope != System && s.st.domains[scope] == nil {
		notFound(w, "Get", "DomainSetting")
		return
	}
	if len(rest) == 1 {
		s.serveDomain(w, r, scope)
		return
	}
	switch strings.ToLower(rest[1]) {
	case "profantispam":
		s.serveProfiles(w, r, s.antispamTable(scope), rest[2:], body)
	case "policyrcpt", "policyrecipient":
		s.servePolicies(w, r, scope, rest[2:])
	default:
		writeError(w, http.StatusBadRequest, errNotFound, "Failed to retrieve object ")
	}
}

func (s *Server) serveDomain(w http.ResponseWriter, r *http.Request, scope string) {
	d := s.st.domains[scope]
	if d == nil || r.Method != http.MethodGet {
		if d == nil {
			notFound(w, "Get", "DomainSetting")
		} else {
			methodNotAllowed(w, "DomainSetting")
		}
		return
	}
	writeObject(w, "DomainSetting:{D:"+scope+"}", 1, d)
}

// servePolicies answers the recipient policies of a scope (read only here).
func (s *Server) servePolicies(w http.ResponseWriter, r *http.Request, scope string, rest []string) {
	if r.Method != http.MethodGet || len(rest) > 1 {
		methodNotAllowed(w, "PolicyRcpt")
		return
	}
	list := s.st.policies[scope]
	if len(rest) == 0 {
		writeCollection(w, r, "PolicyRcptCollection:{D:"+scope+"}", list)
		return
	}
	id, err := strconv.Atoi(rest[0])
	for _, p := range list {
		if n, ok := integer(p["mkey"]); err == nil && ok && n == int64(id) {
			writeObject(w, "PolicyRcpt:"+rest[0], 1, p)
			return
		}
	}
	notFound(w, "Get", "PolicyRcpt")
}

// serveReadOnly answers a read-only collection.
func (s *Server) serveReadOnly(w http.ResponseWriter, r *http.Request, rest []string, resource string, items func() []Object) {
	if r.Method != http.MethodGet || len(rest) > 0 {
		methodNotAllowed(w, resource)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeCollection(w, r, resource+"Collection:", items())
}
