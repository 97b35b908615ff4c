package mimecasttest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// apiRequest is a decoded request envelope.
type apiRequest struct {
	path string
	Meta struct {
		Pagination struct {
			PageSize  int    `json:"pageSize"`
			PageToken string `json:"pageToken"`
		} `json:"pagination"`
	} `json:"meta"`
	Data []json.RawMessage `json:"data"`
}

// item decodes data[i] into v; a missing item leaves v zero.
func (r *apiRequest) item(i int, v any) error {
	if i >= len(r.Data) {
		return nil
	}
	return json.Unmarshal(r.Data[i], v)
}

// failure is one fail[] entry.
type failure struct {
	Key    any         `json:"key,omitempty"`
	Errors []failError `json:"errors"`
}

type failError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	Retryable bool   `json:"retryable"`
}

func fail(key any, code, message, field string) failure {
	return failure{Key: key, Errors: []failError{{Code: code, Message: message, Field: field}}}
}

// result is what a handler answers; ServeHTTP wraps it in the envelope.
type result struct {
	status int // meta.status; 0 means 200
	data   []any
	fail   []failure
	page   map[string]any // meta.pagination, when paged
}

func failed(f ...failure) result { return result{fail: f} }

func ok(data ...any) result { return result{data: data} }

type envelope struct {
	Meta map[string]any `json:"meta"`
	Data []any          `json:"data"`
	Fail []failure      `json:"fail"`
}

func (res result) envelope() envelope {
	meta := map[string]any{"status": 200}
	if res.status != 0 {
		meta["status"] = res.status
	}
	if res.page != nil {
		meta["pagination"] = res.page
	}
	e := envelope{Meta: meta, Data: res.data, Fail: res.fail}
	if e.Data == nil {
		e.Data = []any{}
	}
	if e.Fail == nil {
		e.Fail = []failure{}
	}
	return e
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with the error envelope at an HTTP status.
func writeError(w http.ResponseWriter, status int, code, message string) {
	res := result{status: status, fail: []failure{fail(nil, code, message, "")}}
	writeJSON(w, status, res.envelope())
}

// handler runs one operation with the server's lock held.
type handler func(s *Server, r *apiRequest) result

// run decodes the request and runs h.
func (s *Server) run(w http.ResponseWriter, r *http.Request, h handler) {
	var req apiRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "err_request_malformed", "request body is not the {meta, data} envelope")
		return
	}
	req.path = r.URL.Path
	s.mu.Lock()
	res := h(s, &req)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, res.envelope())
}

// applyThenFail runs the operation for real, then answers status as if it
// had failed: the case where a client must not blindly send a write again.
func (s *Server) applyThenFail(w http.ResponseWriter, r *http.Request, h handler, status int) {
	s.run(httptest.NewRecorder(), r, h)
	writeError(w, status, "err_internal", "injected fault after applying")
}

// window counts calls per credential for the rate limit.
type window struct {
	start time.Time
	used  int
}

// admit counts the call against who's quota, sets the rate-limit headers,
// and answers 429 when the quota is spent.
func (s *Server) admit(w http.ResponseWriter, who string) bool {
	s.mu.Lock()
	now := s.opts.Now()
	win := s.windows[who]
	if win == nil || !now.Before(win.start.Add(s.opts.RateWindow)) {
		win = &window{start: now}
		s.windows[who] = win
	}
	win.used++
	used, reset := win.used, win.start.Add(s.opts.RateWindow).Sub(now)
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, s.opts.RateLimit-used)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Milliseconds(), 10))
	if used > s.opts.RateLimit {
		writeError(w, http.StatusTooManyRequests, "err_rate_limit_exceeded", "rate limit exceeded")
		return false
	}
	return true
}
