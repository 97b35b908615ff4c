package mimecasttest

import (
	"net/http"
	"strconv"
	"time"
)

// FaultKind is what an injected fault does.
type FaultKind int

// Fault kinds.
const (
	// FaultRateLimit answers 429 with X-RateLimit-Reset = Reset, without
	// running the operation.
	FaultRateLimit FaultKind = iota + 1
	// FaultFail answers HTTP 200 with fail[] = {Code, Message}, without
	// running the operation.
	FaultFail
	// FaultStatus answers HTTP Status (default 500) without running the
	// operation.
	FaultStatus
	// FaultSlow waits Delay (or until the client gives up) and then serves
	// the request normally.
	FaultSlow
	// FaultApplyThenFail runs the operation, then answers HTTP Status
	// (default 500): the change is made but the client cannot know.
	FaultApplyThenFail
)

// Fault is one injected misbehaviour.
type Fault struct {
	Kind FaultKind
	// Path is the exact path it applies to ("/oauth/token" included);
	// "" means every /api path.
	Path string
	// Times is how many matching requests it affects (default 1).
	Times         int
	Reset         time.Duration // FaultRateLimit
	Status        int           // FaultStatus, FaultApplyThenFail
	Code, Message string        // FaultFail
	Delay         time.Duration // FaultSlow
}

func (f *Fault) status() int {
	if f.Status == 0 {
		return http.StatusInternalServerError
	}
	return f.Status
}

// Inject adds a fault; faults apply in the order injected.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// takeFault consumes one use of the first fault matching path.
func (s *Server) takeFault(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Path != path && (f.Path != "" || path == "/oauth/token") {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

func (s *Server) serveWithFaults(w http.ResponseWriter, r *http.Request, h handler) {
	f := s.takeFault(r.URL.Path)
	if f == nil {
		s.run(w, r, h)
		return
	}
	switch f.Kind {
	case FaultRateLimit:
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(f.Reset.Milliseconds(), 10))
		writeError(w, http.StatusTooManyRequests, "err_rate_limit_exceeded", "rate limit exceeded (injected)")
	case FaultFail:
		writeJSON(w, http.StatusOK, failed(fail(nil, f.Code, f.Message, "")).envelope())
	case FaultStatus:
		writeError(w, f.status(), "err_internal", "injected fault")
	case FaultSlow:
		if s.wait(r.Context(), f.Delay) {
			s.run(w, r, h)
		}
	case FaultApplyThenFail:
		s.applyThenFail(w, r, h, f.status())
	default:
		s.run(w, r, h)
	}
}
