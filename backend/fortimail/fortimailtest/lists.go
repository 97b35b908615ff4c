package fortimailtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// sessionList returns the list a session-profile sub-resource names.
func sessionList(l *SessionLists, resource string) (*[]string, bool) {
	switch strings.ToLower(resource) {
	case "profsessionsenderwhitelist":
		return &l.SenderSafe, true
	case "profsessionsenderblacklist":
		return &l.SenderBlock, true
	case "profsessionrecipientwhitelist":
		return &l.RecipientSafe, true
	case "profsessionrecipientblacklist":
		return &l.RecipientBlock, true
	}
	return nil, false
}

// serveSessionList answers /ProfSession/<p>/<list>/[<entry>]. s.mu is held.
func (s *Server) serveSessionList(w http.ResponseWriter, r *http.Request, rest []string) {
	lists := s.st.sessionLists[rest[0]]
	if lists == nil {
		notFound(w, "Get", "ProfSession")
		return
	}
	list, ok := sessionList(lists, rest[1])
	if !ok || len(rest) > 3 {
		writeError(w, http.StatusBadRequest, errNotFound, "Failed to retrieve object ")
		return
	}
	res := rest[1]
	if len(rest) == 2 {
		if r.Method != http.MethodGet {
			methodNotAllowed(w, res)
			return
		}
		items := make([]Object, len(*list))
		for i, e := range *list {
			items[i] = Object{"mkey": e}
		}
		writeCollection(w, r, res+"Collection:", items)
		return
	}
	s.serveSessionListEntry(w, r, res, list, rest[2])
}

func (s *Server) serveSessionListEntry(w http.ResponseWriter, r *http.Request, res string, list *[]string, entry string) {
	i := slices.Index(*list, entry)
	switch {
	case r.Method == http.MethodPost && i >= 0:
		invalid(w, "Duplicate object ("+res+") ")
	case r.Method == http.MethodPost:
		if !validEntry(entry) {
			invalid(w, "Invalid value for mkey: "+show(entry)+" (not an address, pattern or IP) ")
			return
		}
		*list = append(*list, entry)
		writeObject(w, res+":"+entry, 2, Object{"mkey": entry})
	case r.Method == http.MethodDelete && i >= 0:
		*list = slices.Delete(*list, i, i+1)
		writeRemoved(w, res, entry)
	case r.Method == http.MethodDelete || r.Method == http.MethodGet:
		if i >= 0 {
			writeObject(w, res+":"+entry, 1, Object{"mkey": entry})
			return
		}
		notFound(w, verbOf(r.Method), res)
	default:
		methodNotAllowed(w, res)
	}
}

func validEntry(e string) bool {
	return e != "" && !strings.ContainsFunc(e, func(r rune) bool {
		return r == ',' || unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

// senderListResource is the sender list resource of the emulated firmware:
// SenderListV2 from 7.0, UserMaillist before.
func (s *Server) senderListResource() string {
	if s.legacy() {
		return "usermaillist"
	}
	return "senderlistv2"
}

func (s *Server) legacy() bool {
	major, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(s.opts.Version, ".", 2)[0], "v"))
	return major < 7
}

// serveSenderList answers POST /SenderListV2/<scope>: reqAction 1 reads,
// 2 (or none) adds, 3 removes; listitems is one comma-joined string.
func (s *Server) serveSenderList(w http.ResponseWriter, r *http.Request, rest []string, body []byte) {
	res, block, safe := "SenderListV2", "blocklist", "safelist"
	if s.legacy() {
		res, block, safe = "UserMaillist", "blacklist", "whitelist"
	}
	in, ok := decodeBody(body)
	if r.Method != http.MethodPost || len(rest) != 1 || !ok {
		methodNotAllowed(w, res)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	scope := strings.ToLower(rest[0])
	lists := s.st.senderLists[scope]
	if lists == nil {
		notFound(w, "Get", res)
		return
	}
	var list *[]string
	switch in["extraParam"] {
	case block:
		list = &lists.Block
	case safe:
		list = &lists.Safe
	default:
		invalid(w, "Invalid value for extraParam: "+show(in["extraParam"])+" (must be "+block+" or "+safe+") ")
		return
	}
	s.changeSenderList(w, res, scope, list, reqAction(in, 2), in["listitems"])
}

func (s *Server) changeSenderList(w http.ResponseWriter, res, scope string, list *[]string, action int, items any) {
	id := res + ":" + scope
	if action == 1 {
		writeObject(w, id, 1, Object{"mkey": scope, "listitems": strings.Join(*list, ",")})
		return
	}
	raw, _ := items.(string)
	entries := strings.Split(raw, ",")
	for i, e := range entries {
		entries[i] = strings.TrimSpace(e)
		if !validEntry(entries[i]) {
			invalid(w, "Invalid value for listitems: "+show(e)+" ")
			return
		}
	}
	switch action {
	case 2:
		for _, e := range entries {
			if !slices.Contains(*list, e) {
				*list = append(*list, e)
			}
		}
		writeObject(w, id, 2, Object{"mkey": scope})
	case 3:
		// Removing an entry that is not there is not an error (invented:
		// the appliance's answer was not captured).
		*list = slices.DeleteFunc(*list, func(e string) bool { return slices.Contains(entries, e) })
		writeRemoved(w, res, scope)
	default:
		invalid(w, "Invalid value for reqAction ")
	}
}
