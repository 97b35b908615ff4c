package graphtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.httpRequests++
	s.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" {
		s.serveAuth(w, r, parts[3])
		return
	}
	if len(parts) == 0 || parts[0] != "v1.0" {
		graphError(w, http.StatusNotFound, "BadRequest", "Invalid version.")
		return
	}
	if !s.validToken(r) {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or has expired.")
		return
	}
	throttled, after := s.logThrottled(r.Method+" "+strings.TrimPrefix(r.URL.RequestURI(), "/v1.0"), &s.throttle)
	if throttled {
		w.Header().Set("Retry-After", strconv.Itoa(after))
		graphError(w, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return
	}
	if len(parts) == 2 && parts[1] == "$batch" {
		s.serveBatch(w, r)
		return
	}
	if len(parts) == 2 && parts[1] == "users" {
		s.serveUsers(w, r)
		return
	}
	s.target(parts[1:]).mailboxCall(w, r, parts[1:])
}

// logThrottled adds entry to the request log and spends one of *budget,
// the requests still to throttle (s.throttle or s.throttleItems, guarded
// by s.mu): throttled says this one is answered 429 with Retry-After:
// after.
func (s *Server) logThrottled(entry string, budget *int) (throttled bool, after int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, entry)
	throttled = *budget > 0
	if throttled {
		*budget--
	}
	return throttled, s.retryAfter
}

// mailboxCall runs one request against the mailbox within its
// MailboxConcurrency limit, taking the service time.
func (s *Server) mailboxCall(w http.ResponseWriter, r *http.Request, parts []string) {
	if s.faultOf(w) {
		return
	}
	s.mu.Lock()
	if s.sub {
		// The parent logs its own mailbox's requests; a tenant
		// user's mailbox keeps its own log.
		s.log = append(s.log, r.Method+" "+strings.TrimPrefix(r.URL.RequestURI(), "/v1.0"))
	}
	if s.sub && s.throttle > 0 {
		// A tenant user's mailbox throttles on its own.
		s.throttle--
		s.concurrency429++
		after := s.retryAfter
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(after))
		graphError(w, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return
	}
	if s.concurrency > 0 && s.inFlight >= s.concurrency {
		s.concurrency429++
		s.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		graphError(w, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return
	}
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	wait := s.serviceTime
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	if wait > 0 {
		time.Sleep(wait) // the store's own work, modelled
	}
	s.graph(w, r, parts)
}

type batchRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Body    json.RawMessage   `json:"body"`
	Headers map[string]string `json:"headers"`
}

// serveBatch answers POST /$batch as Graph's JSON batching does: up to 20
// requests with unique ids and relative URLs, answered in one
// {"responses": [...]} with each one's id, status, headers and body. A
// JSON body is embedded as JSON; any other body (a message's /$value) is a
// base64 string.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Requests []batchRequest `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid batch payload: "+err.Error())
		return
	}
	if len(in.Requests) > 20 {
		graphError(w, http.StatusBadRequest, "BadRequest", "Number of batch request steps exceeds the maximum of 20.")
		return
	}
	ids := map[string]bool{}
	for _, br := range in.Requests {
		if br.ID == "" || ids[br.ID] || !strings.HasPrefix(br.URL, "/") {
			graphError(w, http.StatusBadRequest, "BadRequest", "Each batch request needs a unique id and a relative url.")
			return
		}
		ids[br.ID] = true
	}
	out := make([]map[string]any, 0, len(in.Requests))
	for _, br := range in.Requests {
		out = append(out, s.batchItem(r, br))
	}
	writeJSON(w, http.StatusOK, map[string]any{"responses": out})
}

func (s *Server) batchItem(outer *http.Request, br batchRequest) map[string]any {
	throttled, after := s.logThrottled("batch "+br.Method+" "+br.URL, &s.throttleItems)
	if throttled {
		return map[string]any{"id": br.ID, "status": 429, "headers": map[string]string{"Retry-After": strconv.Itoa(after)},
			"body": map[string]any{"error": map[string]any{"code": "ApplicationThrottled", "message": "Too many requests."}}}
	}
	var body io.Reader
	if len(br.Body) > 0 {
		body = bytes.NewReader(br.Body)
	}
	sub := httptest.NewRequest(br.Method, "/v1.0"+br.URL, body)
	sub.Host = outer.Host
	for k, v := range br.Headers {
		sub.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	parts := strings.Split(strings.Trim(sub.URL.Path, "/"), "/")[1:]
	if len(parts) == 1 && parts[0] == "users" {
		s.serveUsers(rec, sub)
	} else {
		s.target(parts).mailboxCall(rec, sub, parts)
	}
	headers := map[string]string{}
	for _, k := range []string{"Content-Type", "Retry-After", "Location"} {
		if v := rec.Header().Get(k); v != "" {
			headers[k] = v
		}
	}
	item := map[string]any{"id": br.ID, "status": rec.Code, "headers": headers}
	if rec.Body.Len() > 0 {
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			item["body"] = json.RawMessage(rec.Body.Bytes())
		} else {
			item["body"] = base64.StdEncoding.EncodeToString(rec.Body.Bytes())
		}
	}
	return item
}

// origin is the scheme and host the client used, for absolute links that
// lead back the same way (through a proxy, too).
func origin(r *http.Request) string { return "http://" + r.Host }

// graph serves one request below /v1.0 (parts exclude "v1.0").
func (s *Server) graph(w http.ResponseWriter, r *http.Request, parts []string) {
	switch {
	case len(parts) >= 1 && parts[0] == "me":
		parts = parts[1:]
	case len(parts) >= 2 && parts[0] == "users":
		if !strings.EqualFold(parts[1], s.Mailbox) && parts[1] != s.userID {
			graphError(w, http.StatusNotFound, "ErrorInvalidUser", "The requested user '"+parts[1]+"' is invalid.")
			return
		}
		parts = parts[2:]
	default:
		graphError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+strings.Join(parts, "/")+"'.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	route := func(method string, n int, name ...string) bool {
		if r.Method != method || len(parts) != n {
			return false
		}
		for i, p := range name {
			if p != "*" && parts[i] != p {
				return false
			}
		}
		return true
	}
	switch {
	case route("GET", 1, "mailFolders"):
		var top []*folder
		for _, f := range s.folders {
			if f.parent == "" && !f.hidden {
				top = append(top, f)
			}
		}
		s.folderPage(w, r, top)
	case route("GET", 2, "mailFolders", "*"):
		if f := s.folderOr404(w, parts[1]); f != nil {
			writeJSON(w, http.StatusOK, s.selectFields(s.folderJSON(f), q))
		}
	case route("GET", 3, "mailFolders", "*", "childFolders"):
		if f := s.folderOr404(w, parts[1]); f != nil {
			var kids []*folder
			for _, k := range s.folders {
				if k.parent == f.id {
					kids = append(kids, k)
				}
			}
			s.folderPage(w, r, kids)
		}
	case route("GET", 3, "mailFolders", "*", "messages"):
		if f := s.folderOr404(w, parts[1]); f != nil {
			s.listMessages(w, r, f)
		}
	case route("GET", 4, "mailFolders", "*", "messages", "delta"):
		if f := s.folderOr404(w, parts[1]); f != nil {
			s.delta(w, r, f)
		}
	case route("POST", 1, "messages"):
		s.create(w, r)
	case route("POST", 1, "sendMail"):
		s.sendMail(w, r)
	case route("GET", 1, "messages"):
		s.listAllMessages(w, r)
	case route("POST", 1, "events"):
		s.createEvent(w, r)
	case route("GET", 1, "events"):
		s.listEvents(w, r)
	case route("GET", 1, "calendarView"):
		s.calendarView(w, r)
	case route("GET", 3, "events", "*", "attachments"):
		s.listEventAttachments(w, r, parts[1])
	case route("GET", 1, "contacts"):
		s.listContacts(w, r)
	case route("GET", 2, "messages", "*"):
		if m := s.msgOr404(w, parts[1]); m != nil {
			writeJSON(w, http.StatusOK, s.selectFields(s.msgJSON(m), q))
		}
	case route("GET", 3, "messages", "*", "$value"):
		if m := s.msgOr404(w, parts[1]); m != nil {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", strconv.Itoa(len(m.raw)))
			_, _ = w.Write(m.raw)
		}
	case route("PATCH", 2, "messages", "*"):
		if m := s.msgOr404(w, parts[1]); m != nil {
			s.patch(w, r, m)
		}
	case route("DELETE", 2, "messages", "*"):
		if m := s.msgOr404(w, parts[1]); m != nil {
			s.moveTo(m, s.folderByID("deleteditems"), true)
			w.WriteHeader(http.StatusNoContent)
		}
	case route("POST", 3, "messages", "*", "move"), route("POST", 3, "messages", "*", "copy"):
		if m := s.msgOr404(w, parts[1]); m != nil {
			s.transfer(w, r, m, parts[2])
		}
	case route("POST", 3, "messages", "*", "permanentDelete"):
		if m := s.msgOr404(w, parts[1]); m != nil {
			s.remove(m)
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		graphError(w, http.StatusBadRequest, "BadRequest", "Unsupported request "+r.Method+" "+r.URL.Path+" in the emulator.")
	}
}

func (s *Server) folderOr404(w http.ResponseWriter, id string) *folder {
	f := s.folderByID(id)
	if f == nil {
		graphError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified folder could not be found in the store.")
	}
	return f
}

func (s *Server) msgOr404(w http.ResponseWriter, id string) *msg {
	m := s.msgs[id]
	if m == nil {
		graphError(w, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
	}
	return m
}

func (s *Server) folderJSON(f *folder) map[string]any {
	var total, unread, kids int
	for _, m := range s.msgs {
		if m.folder == f.id {
			total++
			if !m.isRead {
				unread++
			}
		}
	}
	for _, k := range s.folders {
		if k.parent == f.id {
			kids++
		}
	}
	return map[string]any{"id": f.id, "displayName": f.name, "parentFolderId": f.parent, "childFolderCount": kids,
		"totalItemCount": total, "unreadItemCount": unread}
}

func (s *Server) folderPage(w http.ResponseWriter, r *http.Request, list []*folder) {
	items := make([]map[string]any, len(list))
	for i, f := range list {
		items[i] = s.selectFields(s.folderJSON(f), r.URL.Query())
	}
	s.writePage(w, r, items, 10)
}

// writePage writes one page of items per $top/$skip with an absolute
// @odata.nextLink when more follow.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, items []map[string]any, defTop int) {
	q := r.URL.Query()
	top, skip := defTop, 0
	if v, err := strconv.Atoi(q.Get("$top")); err == nil && v > 0 {
		top = min(v, 1000)
	}
	if v, err := strconv.Atoi(q.Get("$skip")); err == nil && v > 0 {
		skip = v
	}
	out := map[string]any{}
	end := min(skip+top, len(items))
	if skip > len(items) {
		skip = len(items)
	}
	out["value"] = items[skip:end]
	if end < len(items) {
		q.Set("$skip", strconv.Itoa(end))
		out["@odata.nextLink"] = origin(r) + r.URL.Path + "?" + q.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func addrJSON(a address) map[string]any {
	return map[string]any{"emailAddress": map[string]any{"name": a.Name, "address": a.Addr}}
}

func addrsJSON(as []address) []map[string]any {
	out := make([]map[string]any, len(as))
	for i, a := range as {
		out[i] = addrJSON(a)
	}
	return out
}

func (s *Server) msgJSON(m *msg) map[string]any {
	out := map[string]any{
		"id":                m.id,
		"@odata.etag":       fmt.Sprintf(`W/"CQAAAB%d"`, m.changeKey),
		"parentFolderId":    m.folder,
		"subject":           m.subject,
		"toRecipients":      addrsJSON(m.to),
		"ccRecipients":      addrsJSON(m.cc),
		"replyTo":           addrsJSON(m.replyTo),
		"sentDateTime":      m.sent.Format("2006-01-02T15:04:05Z"),
		"receivedDateTime":  m.received.Format("2006-01-02T15:04:05Z"),
		"internetMessageId": m.messageID,
		"hasAttachments":    m.attachments,
		"isRead":            m.isRead,
		"isDraft":           m.isDraft,
		"flag":              map[string]any{"flagStatus": cmpOr(m.flag, "notFlagged")},
		"categories":        append([]string{}, m.categories...),
		"bodyPreview":       truncate(m.body, 255),
	}
	if m.from != nil {
		out["from"] = addrJSON(*m.from)
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// selectFields keeps the $select-ed fields, and id and @odata.etag always.
func (s *Server) selectFields(obj map[string]any, q url.Values) map[string]any {
	sel := q.Get("$select")
	if sel == "" {
		return obj
	}
	keep := map[string]bool{"id": true, "@odata.etag": true}
	for _, f := range strings.Split(sel, ",") {
		keep[strings.TrimSpace(f)] = true
	}
	for k := range obj {
		if !keep[k] {
			delete(obj, k)
		}
	}
	return obj
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, f *folder) {
	q := r.URL.Query()
	if q.Get("$filter") != "" && q.Get("$search") != "" {
		graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQuery", "The query parameter '$filter' is not supported with '$search'.")
		return
	}
	var match func(*msg) bool
	switch {
	case q.Get("$filter") != "":
		fm, err := parseFilter(q.Get("$filter"))
		if err != nil {
			graphError(w, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "Invalid filter clause: "+err.Error())
			return
		}
		match = fm
	case q.Get("$search") != "":
		sm, err := parseSearch(q.Get("$search"))
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", "Syntax error in $search: "+err.Error())
			return
		}
		match = sm
	}
	var list []*msg
	for _, m := range s.msgs {
		if m.folder == f.id && (match == nil || match(m)) {
			list = append(list, m)
		}
	}
	sortMsgs(list)
	slices.Reverse(list) // Graph lists newest first
	items := make([]map[string]any, len(list))
	for i, m := range list {
		items[i] = s.selectFields(s.msgJSON(m), q)
	}
	s.writePage(w, r, items, 10)
}

// maxPageSize reads odata.maxpagesize from the Prefer headers; Graph pages
// a message delta by 10 without it.
func maxPageSize(h http.Header) int {
	for _, v := range h.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if n, ok := strings.CutPrefix(strings.TrimSpace(p), "odata.maxpagesize="); ok {
				if size, err := strconv.Atoi(n); err == nil && size > 0 {
					return min(size, 1000)
				}
			}
		}
	}
	return 10
}

// deltaItem is one entry of a delta stream: a message as it is now, or
// the removal of one.
type deltaItem struct {
	seq     int
	msg     *msg
	removed string
}

// delta serves a folder's delta as Graph does: without a token every
// message and, on the last page, a deltaLink; with one, what changed
// since and what left. Pages hold odata.maxpagesize entries (10 by
// default) and are cut by change sequence, so a change made while a
// client pages through is reported in its next round, never lost. The
// tokens carry the round's range: "since.upto" for a deltaLink,
// "since.upto.after" for a nextLink.
func (s *Server) delta(w http.ResponseWriter, r *http.Request, f *folder) {
	q := r.URL.Query()
	since, upto, after := -1, s.seq, -1
	for _, name := range []string{"$deltatoken", "$skiptoken"} {
		t := q.Get(name)
		if t == "" {
			continue
		}
		var err error
		if since, upto, after, err = parseDeltaToken(t, name == "$skiptoken"); err != nil {
			graphError(w, http.StatusGone, "SyncStateNotFound", "The sync state generation is not found.")
			return
		}
		if name == "$deltatoken" {
			since, upto = upto, s.seq
		}
	}
	var stream []deltaItem
	for _, m := range s.msgs {
		if m.folder == f.id && m.seq > since && m.seq <= upto {
			stream = append(stream, deltaItem{seq: m.seq, msg: m})
		}
	}
	if since >= 0 {
		for _, rm := range s.removals {
			if rm.folder == f.id && rm.seq > since && rm.seq <= upto {
				stream = append(stream, deltaItem{seq: rm.seq, removed: rm.id})
			}
		}
	}
	slices.SortFunc(stream, func(a, b deltaItem) int { return a.seq - b.seq })
	stream = slices.DeleteFunc(stream, func(d deltaItem) bool { return d.seq <= after })
	size := maxPageSize(r.Header)
	items := []map[string]any{}
	for _, d := range stream[:min(size, len(stream))] {
		if d.msg != nil {
			items = append(items, s.selectFields(s.msgJSON(d.msg), q))
		} else {
			items = append(items, map[string]any{"id": d.removed, "@removed": map[string]any{"reason": "deleted"}})
		}
	}
	out := map[string]any{"value": items}
	link := url.Values{}
	if sel := q.Get("$select"); sel != "" {
		link.Set("$select", sel)
	}
	if len(stream) > size {
		link.Set("$skiptoken", fmt.Sprintf("%d.%d.%d", since, upto, stream[size-1].seq))
		out["@odata.nextLink"] = origin(r) + r.URL.Path + "?" + link.Encode()
	} else {
		link.Set("$deltatoken", fmt.Sprintf("%d.%d", since, upto))
		out["@odata.deltaLink"] = origin(r) + r.URL.Path + "?" + link.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func parseDeltaToken(t string, skip bool) (since, upto, after int, err error) {
	parts := strings.Split(t, ".")
	want := 2
	if skip {
		want = 3
	}
	if len(parts) != want {
		return 0, 0, 0, fmt.Errorf("bad token")
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		if n[i], err = strconv.Atoi(p); err != nil {
			return 0, 0, 0, err
		}
	}
	after = -1
	if skip {
		after = n[2]
	}
	return n[0], n[1], after, nil
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	raw, ok := mimeBody(w, r)
	if !ok {
		return
	}
	m := parse(raw)
	m.id, m.folder, m.isDraft, m.isRead = s.newID("msg"), s.folderByID("drafts").id, true, true
	m.received = m.sent
	s.touch(m)
	s.msgs[m.id] = m
	writeJSON(w, http.StatusCreated, s.msgJSON(m))
}

// mimeBody reads a request body that is a base64-encoded MIME message
// (Content-Type: text/plain), or answers the error Graph gives.
func mimeBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		graphError(w, http.StatusBadRequest, "BadRequest", "The emulator takes messages as MIME only (Content-Type: text/plain).")
		return nil, false
	}
	b, _ := io.ReadAll(r.Body)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		graphError(w, http.StatusBadRequest, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
		return nil, false
	}
	return raw, true
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, m *msg) {
	if im := r.Header.Get("If-Match"); im != "" && im != s.msgJSON(m)["@odata.etag"] {
		graphError(w, http.StatusPreconditionFailed, "ErrorIrresolvableConflict", "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.")
		return
	}
	var in struct {
		IsRead     *bool                        `json:"isRead"`
		Flag       *struct{ FlagStatus string } `json:"flag"`
		Categories *[]string                    `json:"categories"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		graphError(w, http.StatusBadRequest, "RequestBodyRead", err.Error())
		return
	}
	if in.IsRead != nil {
		m.isRead = *in.IsRead
	}
	if in.Flag != nil {
		switch in.Flag.FlagStatus {
		case "flagged", "notFlagged", "complete":
			m.flag = in.Flag.FlagStatus
		default:
			graphError(w, http.StatusBadRequest, "RequestBodyRead", "Requested value '"+in.Flag.FlagStatus+"' was not found.")
			return
		}
	}
	if in.Categories != nil {
		m.categories = slices.Clone(*in.Categories)
	}
	s.touch(m)
	writeJSON(w, http.StatusOK, s.msgJSON(m))
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request, m *msg, verb string) {
	var in struct {
		DestinationID string `json:"destinationId"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	dest := s.folderByID(in.DestinationID)
	if dest == nil {
		graphError(w, http.StatusNotFound, "ErrorInvalidIdMalformed", "Id is malformed.")
		return
	}
	if verb == "copy" {
		c := *m
		c.id, c.folder, c.categories = s.newID("msg"), dest.id, slices.Clone(m.categories)
		s.touch(&c)
		s.msgs[c.id] = &c
		writeJSON(w, http.StatusCreated, s.msgJSON(&c))
		return
	}
	immutable := strings.Contains(r.Header.Get("Prefer"), `IdType="ImmutableId"`)
	writeJSON(w, http.StatusCreated, s.msgJSON(s.moveTo(m, dest, immutable)))
}

// moveTo moves m to dest; without immutable ids the message gets a new id,
// as Exchange gives it.
func (s *Server) moveTo(m *msg, dest *folder, immutable bool) *msg {
	s.seq++
	s.removals = append(s.removals, removal{id: m.id, folder: m.folder, seq: s.seq})
	if !immutable {
		delete(s.msgs, m.id)
		m.id = s.newID("msg")
		s.msgs[m.id] = m
	}
	m.folder = dest.id
	s.touch(m)
	return m
}

func (s *Server) remove(m *msg) {
	s.seq++
	s.removals = append(s.removals, removal{id: m.id, folder: m.folder, seq: s.seq})
	delete(s.msgs, m.id)
}
