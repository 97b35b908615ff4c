package fortimailtest

import (
	"net/http"
	"strings"
	"time"
)

// Fault changes how matching requests are answered, to test a client's
// handling of an unhealthy appliance.
type Fault struct {
	// Method matches the HTTP method; "" matches any.
	Method string
	// Path matches a case-insensitive prefix of the path after /api/v1/
	// ("ProfSession", "domain/example.com"). "" matches every path but
	// AdminLogin, so a fault on the API does not stop logging in; name
	// "AdminLogin" to break logins.
	Path string
	// Hold delays the answer until the channel is closed or the client
	// gives up: a slow appliance without sleeping in tests.
	Hold <-chan struct{}
	// Delay delays the answer (for the demo; tests use Hold).
	Delay time.Duration
	// ExpireSession ends the caller's session before the request is
	// handled, as an idle timeout striking just then would.
	ExpireSession bool
	// Status, if set, is the answer: this HTTP status with an error body
	// of ErrorType and ErrorMsg (default: "Failed: injected fault ").
	Status    int
	ErrorType int
	ErrorMsg  string
	// EndPaging answers a collection page with nextPage false though
	// items remain, as an appliance that stops paging short would.
	EndPaging bool
	// IgnoreStartIndex answers every collection request with its first
	// page, as an appliance that does not know the paging parameters
	// would.
	IgnoreStartIndex bool
	// Times is how many matching requests the fault affects; 0 means
	// every one until ClearFaults.
	Times int
}

// InjectFault adds a fault; the first matching fault applies.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the fault for this request, counting it used.
func (s *Server) takeFault(method string, segs []string) *Fault {
	path := strings.ToLower(strings.Join(segs, "/"))
	login := path == "adminlogin"
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		if f.Path == "" && login || !strings.HasPrefix(path, strings.ToLower(strings.Trim(f.Path, "/"))) {
			continue
		}
		fault := *f
		if f.Times > 0 {
			if f.Times--; f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &fault
	}
	return nil
}

// applyFault applies a matching fault. answered means it wrote the
// reply; otherwise pg is the paging the fault leaves for the reply.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, segs []string) (answered bool, pg paging) {
	pg = paging{max: s.opts.PageSize}
	f := s.takeFault(r.Method, segs)
	if f == nil {
		return false, pg
	}
	if !wait(r, f) {
		writeError(w, http.StatusServiceUnavailable, errInvalid, "Failed: client went away ")
		return true, pg
	}
	if f.ExpireSession {
		s.expireSessionOf(r)
	}
	if f.Status == 0 {
		pg.endPaging, pg.ignoreStart = f.EndPaging, f.IgnoreStartIndex
		return false, pg
	}
	msg := f.ErrorMsg
	if msg == "" {
		msg = "Failed: injected fault "
	}
	writeError(w, f.Status, f.ErrorType, msg)
	return true, pg
}

// wait holds the request as the fault says; false if the client left.
func wait(r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	if f.Hold != nil {
		select {
		case <-f.Hold:
		case <-r.Context().Done():
			return false
		}
	}
	return true
}
