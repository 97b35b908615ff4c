package graphtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A tenant: besides the Server's own mailbox, AddMailboxes creates more
// users, each with a mailbox of its own (its own folders, mail and
// MailboxConcurrency count), as an application token sees a Microsoft 365
// organisation. GET /users lists them all, paged; /users/{id or address}/…
// reaches each one, directly or inside a $batch. A mailbox can be made to
// answer every request with a fault (403 for one an application access
// policy hides, 404 for a user without a mailbox) or to throttle.

// user is a tenant mailbox other than the Server's own: a Server without
// a listener, holding that mailbox's state.
type user struct {
	id   string
	addr string
	box  *Server
}

// newMailbox returns the state of a mailbox for addr, with the
// well-known folders, served through its parent's listener.
func newMailbox(addr string) *Server {
	s := &Server{Mailbox: addr, msgs: map[string]*msg{}, concurrency: 4, sub: true}
	s.addWellKnown()
	return s
}

// AddMailboxes adds n users named prefix0001@domain … and returns their
// addresses, in order.
func (s *Server) AddMailboxes(n int, prefix, domain string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, n)
	start := len(s.users)
	for i := range n {
		addr := fmt.Sprintf("%s%05d@%s", prefix, start+i+1, domain)
		u := &user{id: fmt.Sprintf("%08x-0000-4000-8000-%012x", start+i+1, start+i+1), addr: addr, box: newMailbox(addr)}
		u.box.userID = u.id
		s.users = append(s.users, u)
		if s.userIndex == nil {
			s.userIndex = map[string]*user{}
		}
		s.userIndex[strings.ToLower(u.id)] = u
		s.userIndex[strings.ToLower(addr)] = u
		out = append(out, addr)
	}
	return out
}

// SeedCopies delivers copies of raw to the Inboxes of boxes (addresses
// AddMailboxes returned), spread evenly: copy k goes to box
// k*len(boxes)/copies, so with more copies than boxes some get several.
// It returns how many each box got.
func (s *Server) SeedCopies(boxes []string, copies int, raw []byte, when time.Time) map[string]int {
	got := map[string]int{}
	if len(boxes) == 0 {
		return got
	}
	for k := range copies {
		addr := boxes[k*len(boxes)/copies]
		s.User(addr).Deliver("Inbox", raw, when.Add(time.Duration(k)*time.Second))
		got[addr]++
	}
	return got
}

// User returns the mailbox of a user AddMailboxes made (by address or
// id), or nil, to seed and inspect it with the Server's methods (Deliver,
// Messages, Message, SetMailboxConcurrency, SetServiceTime, Throttle…);
// it has no listener of its own (URL and Close do not apply). The
// Server's own address returns the Server.
func (s *Server) User(key string) *Server {
	if strings.EqualFold(key, s.Mailbox) {
		return s
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userIndex[strings.ToLower(key)]; u != nil {
		return u.box
	}
	return nil
}

// SetFault makes the mailbox answer every request with status (403:
// access denied; 404: no mailbox); 0 heals it.
func (s *Server) SetFault(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = status
}

// SetTenantServiceTime sets the service time of every mailbox of the
// tenant (see SetServiceTime).
func (s *Server) SetTenantServiceTime(d time.Duration) {
	for _, b := range s.boxes() {
		b.SetServiceTime(d)
	}
}

// TenantMaxInFlight is the most requests that ran at once against any
// one mailbox of the tenant; TenantConcurrencyRefusals how many were
// refused for MailboxConcurrency, all mailboxes together.
func (s *Server) TenantMaxInFlight() int {
	n := 0
	for _, b := range s.boxes() {
		n = max(n, b.MaxInFlight())
	}
	return n
}

// TenantConcurrencyRefusals counts the 429s sent for MailboxConcurrency
// by every mailbox of the tenant.
func (s *Server) TenantConcurrencyRefusals() int {
	n := 0
	for _, b := range s.boxes() {
		n += b.ConcurrencyRefusals()
	}
	return n
}

// ResetTenantCounts is ResetCounts for every mailbox of the tenant.
func (s *Server) ResetTenantCounts() {
	for _, b := range s.boxes() {
		b.ResetCounts()
	}
}

func (s *Server) boxes() []*Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*Server{s}
	for _, u := range s.users {
		out = append(out, u.box)
	}
	return out
}

// target is the mailbox a request below /v1.0 is for: the Server itself
// for /me and its own address, a tenant user's mailbox, or nil.
func (s *Server) target(parts []string) *Server {
	if len(parts) < 2 || parts[0] != "users" || strings.EqualFold(parts[1], s.Mailbox) {
		return s
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.userIndex[strings.ToLower(parts[1])]; u != nil {
		return u.box
	}
	return s // answers ErrorInvalidUser
}

// serveUsers answers GET /users: the Server's own user first, then the
// tenant's, $top per page (default 100, at most 999) with a nextLink.
func (s *Server) serveUsers(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		graphError(w, http.StatusMethodNotAllowed, "BadRequest", "Only GET is supported on /users in the emulator.")
		return
	}
	s.mu.Lock()
	all := []map[string]any{userJSON("00000000-0000-4000-8000-000000000000", s.Mailbox)}
	for _, u := range s.users {
		all = append(all, userJSON(u.id, u.addr))
	}
	s.mu.Unlock()
	q := r.URL.Query()
	top, skip := 100, 0
	if v, err := strconv.Atoi(q.Get("$top")); err == nil && v > 0 {
		top = min(v, 999)
	}
	if v, err := strconv.Atoi(q.Get("$skiptoken")); err == nil && v > 0 {
		skip = min(v, len(all))
	}
	end := min(skip+top, len(all))
	items := make([]map[string]any, 0, end-skip)
	for _, u := range all[skip:end] {
		items = append(items, s.selectFields(u, q))
	}
	out := map[string]any{"value": items}
	if end < len(all) {
		q.Set("$skiptoken", strconv.Itoa(end))
		out["@odata.nextLink"] = origin(r) + r.URL.Path + "?" + q.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func userJSON(id, addr string) map[string]any {
	name, _, _ := strings.Cut(addr, "@")
	return map[string]any{"id": id, "mail": addr, "userPrincipalName": addr, "displayName": name}
}

// faultOf answers a request to a faulty mailbox; false when it is well.
func (s *Server) faultOf(w http.ResponseWriter) bool {
	s.mu.Lock()
	status := s.fault
	s.mu.Unlock()
	switch status {
	case 0:
		return false
	case http.StatusForbidden:
		graphError(w, status, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
	case http.StatusNotFound:
		graphError(w, status, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
	default:
		graphError(w, status, "ErrorInternalServerError", "The mailbox answered "+http.StatusText(status)+".")
	}
	return true
}

// listAllMessages answers GET /messages: every message of the mailbox's
// visible folders (Recoverable Items is not among them), newest first,
// with $filter and $select.
func (s *Server) listAllMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	match := func(*msg) bool { return true }
	if f := q.Get("$filter"); f != "" {
		fm, err := parseFilter(f)
		if err != nil {
			graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "Invalid filter clause: "+err.Error())
			return
		}
		match = fm
	}
	var list []*msg
	for _, m := range s.msgs {
		if f := s.folderByID(m.folder); f != nil && !f.hidden && match(m) {
			list = append(list, m)
		}
	}
	sortMsgs(list)
	slices.Reverse(list)
	items := make([]map[string]any, len(list))
	for i, m := range list {
		items[i] = s.selectFields(s.msgJSON(m), q)
	}
	s.writePage(w, r, items, 10)
}
