package purge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Graph purges across a Microsoft 365 tenant.
type Graph struct {
	Tenant *graph.Tenant
	// Actions audits and role-checks every change; Account names the
	// configured account in the audit records.
	Actions *action.Layer
	Account string
	// Progress, when set, hears how far a call is (from the calling
	// goroutine's scheduler, one call at a time).
	Progress func(Progress)
	// Batches is how many $batch requests run at once (default 16);
	// MaxTries how often one mailbox's throttled request is tried
	// (default 8); MaxWait the longest Retry-After waited (default 2 min).
	Batches  int
	MaxTries int
	MaxWait  time.Duration
	// Guard stops purges of mail from our own domains unless Confirm is
	// the domain concerned, typed by the analyst.
	Guard   Guard
	Confirm string
}

func (g *Graph) scheduler() *scheduler {
	s := &scheduler{tenant: g.Tenant, batches: g.Batches, perMailbox: 4, maxTries: g.MaxTries, maxWait: g.MaxWait}
	if s.batches <= 0 {
		s.batches = 16
	}
	if s.maxTries <= 0 {
		s.maxTries = 8
	}
	if s.maxWait <= 0 {
		s.maxWait = 2 * time.Minute
	}
	return s
}

func (g *Graph) progress(p Progress) {
	if g.Progress != nil {
		g.Progress(p)
	}
}

// Plan looks for every copy of the message with messageID in every
// mailbox of the tenant. A plan cut short is returned with the error:
// Continue takes it on from there.
func (g *Graph) Plan(ctx context.Context, messageID string) (*Plan, error) {
	id, err := NormalizeID(messageID)
	if err != nil {
		return nil, err
	}
	p := &Plan{MessageID: id, Scope: ScopeTenant}
	return p, g.Continue(ctx, p)
}

// Continue finishes a plan: it lists the mailboxes not listed yet and
// asks those not asked yet, and those that failed, again. Mailboxes
// that answered are not asked again.
func (g *Graph) Continue(ctx context.Context, p *Plan) error {
	for _, f := range p.Failed {
		p.Todo = append(p.Todo, Mailbox{ID: f.UserID, Address: f.Mailbox})
	}
	p.Failed = nil
	if err := g.search(ctx, p); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("search for %s: %d mailboxes not asked: %w", p.MessageID, len(p.Todo), err)
	}
	return nil
}

// message is what a search reads of each copy.
type message struct {
	ID               string    `json:"id"`
	ParentFolderID   string    `json:"parentFolderId"`
	ReceivedDateTime time.Time `json:"receivedDateTime"`
	Subject          string    `json:"subject"`
	From             *struct {
		EmailAddress struct {
			Address string `json:"address"`
		} `json:"emailAddress"`
	} `json:"from"`
	ToRecipients []struct {
		EmailAddress struct {
			Address string `json:"address"`
		} `json:"emailAddress"`
	} `json:"toRecipients"`
}

// searchURL asks one mailbox for the copies of id.
func searchURL(user, id string) string {
	q := url.Values{}
	q.Set("$filter", "internetMessageId eq '"+strings.ReplaceAll(id, "'", "''")+"'")
	q.Set("$select", "id,parentFolderId,receivedDateTime,subject,from,toRecipients")
	q.Set("$top", "100")
	return graph.UserPath(user) + "/messages?" + q.Encode()
}

// usersKey is the scheduler's key for pages of the user listing.
const usersKey = "/users"

// search asks every mailbox of p.Todo, and lists the tenant's users
// (unless p.Listed) in the same run, so each page's mailboxes are asked
// while the next page is read. Mailboxes the run did not reach stay in
// p.Todo, the listing's next page in p.UsersNext.
func (g *Graph) search(ctx context.Context, p *Plan) error {
	s := searchRun{g: g, p: p, boxes: map[string]*Box{}, pending: map[string]Mailbox{}}
	for _, b := range p.Boxes {
		s.boxes[b.UserID] = b
	}
	var tasks []*task
	if !p.Listed {
		tasks = append(tasks, &task{user: usersKey, item: graph.BatchItem{Method: http.MethodGet, URL: cmpOr(p.UsersNext, graph.UsersURL)}})
	}
	tasks = append(tasks, s.add(p.Todo)...)
	g.scheduler().run(ctx, tasks, func(t *task) []*task {
		if ctx.Err() != nil && !t.ran {
			return nil // not asked: stays to do
		}
		if t.user == usersKey {
			return s.listed(t)
		}
		return s.answered(t)
	})
	p.Todo = p.Todo[:0]
	for _, mb := range s.order {
		if _, ok := s.pending[mb.ID]; ok {
			p.Todo = append(p.Todo, mb)
		}
	}
	return s.listErr
}

// searchRun is one search in progress.
type searchRun struct {
	g       *Graph
	p       *Plan
	boxes   map[string]*Box    // by user id
	pending map[string]Mailbox // asked, not answered yet
	order   []Mailbox          // every mailbox of the run, in listing order
	done    int
	listErr error
}

// add makes the search requests of mailboxes.
func (s *searchRun) add(mbs []Mailbox) []*task {
	tasks := make([]*task, 0, len(mbs))
	for _, mb := range mbs {
		if _, dup := s.pending[mb.ID]; dup {
			continue
		}
		s.pending[mb.ID] = mb
		s.order = append(s.order, mb)
		tasks = append(tasks, &task{user: mb.ID, item: graph.BatchItem{Method: http.MethodGet, URL: searchURL(mb.ID, s.p.MessageID)}})
	}
	return tasks
}

// listed books a page of the user listing: the next page is asked
// first, then this page's mailboxes.
func (s *searchRun) listed(t *task) []*task {
	var page struct {
		Value    []graph.User `json:"value"`
		NextLink string       `json:"@odata.nextLink"`
	}
	err := t.answer.Err
	if err == nil {
		err = json.Unmarshal(t.answer.Body, &page)
	}
	next, ok := s.g.Tenant.Relative(page.NextLink)
	if err == nil && page.NextLink != "" && !ok {
		err = fmt.Errorf("the next page of users is at %q, not under Graph's root", page.NextLink)
	}
	if err != nil {
		s.listErr = fmt.Errorf("list the tenant's users: %w", err)
		return nil
	}
	s.p.UsersNext, s.p.Listed = next, next == ""
	var tasks []*task
	if next != "" {
		tasks = append(tasks, &task{user: usersKey, item: graph.BatchItem{Method: http.MethodGet, URL: next}})
	}
	mbs := make([]Mailbox, 0, len(page.Value))
	for _, u := range page.Value {
		mbs = append(mbs, Mailbox{ID: u.ID, Address: u.Address()})
	}
	tasks = append(tasks, s.add(mbs)...)
	s.g.progress(Progress{Phase: "list", Done: s.done, Total: len(s.order), Failed: len(s.p.Failed)})
	return tasks
}

// answered books a mailbox's answer (one page of it).
func (s *searchRun) answered(t *task) []*task {
	mb := s.pending[t.user]
	next, err := addCopies(s.p, s.boxes, mb, t.answer)
	switch {
	case err != nil:
		s.p.Failed = append(s.p.Failed, Failure{Mailbox: mb.Address, UserID: mb.ID, Status: t.answer.Status, Error: err.Error()})
	case next != "":
		return []*task{{user: t.user, item: graph.BatchItem{Method: http.MethodGet, URL: next}}}
	default:
		s.p.Searched++
	}
	delete(s.pending, t.user)
	s.done++
	s.g.progress(Progress{Phase: "search", Done: s.done, Total: len(s.order), Failed: len(s.p.Failed)})
	return nil
}

// addCopies books one page of a mailbox's answer and returns the
// relative link of the next page, if any.
func addCopies(p *Plan, boxes map[string]*Box, mb Mailbox, a graph.BatchAnswer) (string, error) {
	if a.Err != nil {
		return "", a.Err
	}
	var page struct {
		Value    []message `json:"value"`
		NextLink string    `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(a.Body, &page); err != nil {
		return "", fmt.Errorf("unreadable answer: %w", err)
	}
	for _, m := range page.Value {
		b := boxes[mb.ID]
		if b == nil {
			b = &Box{Mailbox: mb.Address, UserID: mb.ID}
			boxes[mb.ID] = b
			p.Boxes = append(p.Boxes, b)
		}
		if b.has(m.ID) {
			continue // a page read again after an interruption
		}
		c := &Copy{ID: m.ID, Folder: m.ParentFolderID, Received: m.ReceivedDateTime, Subject: m.Subject}
		if m.From != nil {
			c.From = m.From.EmailAddress.Address
		}
		for _, r := range m.ToRecipients {
			c.Recipients = append(c.Recipients, r.EmailAddress.Address)
		}
		b.Copies = append(b.Copies, c)
	}
	if page.NextLink == "" {
		return "", nil
	}
	i := strings.Index(page.NextLink, "/users/")
	if i < 0 {
		return "", fmt.Errorf("next page link %q is not under /users", page.NextLink)
	}
	return page.NextLink[i:], nil
}

func (b *Box) has(id string) bool {
	for _, c := range b.Copies {
		if c.ID == id {
			return true
		}
	}
	return false
}

// destination is the well-known folder a mode moves copies to.
func destination(m Mode) string {
	if m == Junk {
		return "junkemail"
	}
	return "recoverableitemsdeletions"
}

// Apply purges every open copy of the plan in mode, one audited change
// per mailbox. Copies done by an earlier Apply are not touched again;
// failures are listed in the result and in each copy, and a later Apply
// of the same plan retries them. Hard needs the admin role; the front
// end asks twice, naming the count (Plan.Open), before calling it.
func (g *Graph) Apply(ctx context.Context, p *Plan, mode Mode) (Result, error) {
	res := Result{Mode: mode}
	if err := g.Actions.Check(mode.Action()); err != nil {
		return res, err
	}
	override, err := guarded(g.Guard, p, g.Confirm)
	if err != nil {
		return res, err
	}
	if mode == Junk {
		if err := g.skipJunk(ctx, p); err != nil {
			return res, err
		}
	}
	op := operation{
		name: mode.Action(),
		pick: func(c *Copy) bool {
			if !c.open() {
				res.Already++
				return false
			}
			return true
		},
		item: func(b *Box, c *Copy) graph.BatchItem {
			path := graph.UserPath(b.UserID) + "/messages/" + url.PathEscape(c.ID)
			if mode == Hard {
				return graph.BatchItem{Method: http.MethodPost, URL: path + "/permanentDelete"}
			}
			return graph.BatchItem{Method: http.MethodPost, URL: path + "/move", Body: map[string]string{"destinationId": destination(mode)}}
		},
		ok: func(c *Copy) { c.Purged = mode },
		detail: func(b *Box, cs []*Copy) string {
			return g.detail(p, b, cs, string(mode)+" purge, to "+destination(mode)+override)
		},
		phase: "apply",
	}
	if mode == Hard {
		op.detail = func(b *Box, cs []*Copy) string { return g.detail(p, b, cs, "hard purge, deleted permanently"+override) }
	}
	return g.act(ctx, p, op, &res)
}

// Undo moves every soft- or junk-purged copy of the plan back to the
// folder it was found in, one audited change per mailbox.
func (g *Graph) Undo(ctx context.Context, p *Plan) (Result, error) {
	res := Result{Mode: "undo"}
	if err := g.Actions.Check(remediate.PurgeUndo); err != nil {
		return res, err
	}
	op := operation{
		name: remediate.PurgeUndo,
		pick: func(c *Copy) bool { return (c.Purged == Soft || c.Purged == Junk) && !c.Untouched },
		item: func(b *Box, c *Copy) graph.BatchItem {
			return graph.BatchItem{Method: http.MethodPost, URL: graph.UserPath(b.UserID) + "/messages/" + url.PathEscape(c.ID) + "/move",
				Body: map[string]string{"destinationId": c.Folder}}
		},
		ok: func(c *Copy) { c.Purged = "" },
		detail: func(b *Box, cs []*Copy) string {
			return g.detail(p, b, cs, "undo purge, back to the folders they were found in")
		},
		phase: "undo",
	}
	return g.act(ctx, p, op, &res)
}

// detail words one mailbox's change for its audit records: the mailbox,
// the Message-ID, what is done and the ids of the copies (the first 20).
func (g *Graph) detail(p *Plan, b *Box, cs []*Copy, what string) string {
	return fmt.Sprintf("mailbox %s: %s of %s: %s; ids %s", b.Mailbox, plural(len(cs), "copy"), p.MessageID, what, idList(cs))
}

// idList names the copies, the first 20 of them.
func idList(cs []*Copy) string {
	ids := make([]string, 0, min(len(cs), 20))
	for _, c := range cs[:min(len(cs), 20)] {
		ids = append(ids, c.ID)
	}
	s := strings.Join(ids, ", ")
	if len(cs) > 20 {
		s += fmt.Sprintf(" and %d more", len(cs)-20)
	}
	return s
}

// operation is what Apply or Undo does to each copy it picks.
type operation struct {
	name   remediate.Action
	pick   func(*Copy) bool
	item   func(*Box, *Copy) graph.BatchItem
	ok     func(*Copy)
	detail func(b *Box, cs []*Copy) string
	phase  string
}

// boxRun is one mailbox's audited change in progress.
type boxRun struct {
	box    *Box
	copies []*Copy
	left   int
	failed []string
	done   chan error // the change's outcome, for its result record
}

// act applies op to the picked copies: each mailbox's change opens with
// its audit intent (action.Layer.Run), then every mailbox's requests go
// out together through the scheduler, and each mailbox's result record
// is written as its last copy is answered.
func (g *Graph) act(ctx context.Context, p *Plan, op operation, res *Result) (Result, error) {
	var runs []*boxRun
	total := 0
	for _, b := range p.Boxes {
		r := &boxRun{box: b, done: make(chan error, 1)}
		for _, c := range b.Copies {
			if op.pick(c) {
				r.copies = append(r.copies, c)
			}
		}
		if len(r.copies) > 0 {
			r.left = len(r.copies)
			runs = append(runs, r)
			total += len(r.copies)
		}
	}
	started := make(chan *boxRun, len(runs))
	finished := make([]error, len(runs))
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := action.Change{Name: op.name, Target: action.Target{Account: g.Account}, Detail: op.detail(r.box, r.copies)}
			began := false
			finished[i] = g.Actions.Run(ctx, ch, func(context.Context) error {
				began = true
				started <- r
				return <-r.done
			})
			if !began {
				started <- nil
			}
		}()
	}
	var tasks []*task
	byTask := map[*task]struct {
		r *boxRun
		c *Copy
	}{}
	for range runs {
		r := <-started
		if r == nil {
			continue // refused before it began: its error is in finished
		}
		for _, c := range r.copies {
			t := &task{user: r.box.UserID, item: op.item(r.box, c)}
			tasks = append(tasks, t)
			byTask[t] = struct {
				r *boxRun
				c *Copy
			}{r, c}
		}
	}
	sch := g.scheduler()
	done, failed := 0, 0
	sch.run(ctx, tasks, func(t *task) []*task {
		rc := byTask[t]
		if !g.settleCopy(t, rc.c, op, res, rc.r) {
			failed++
		}
		done++
		rc.r.left--
		if rc.r.left == 0 {
			rc.r.done <- rc.r.outcome()
		}
		g.progress(Progress{Phase: op.phase, Done: done, Total: total, Failed: failed})
		return nil
	})
	wg.Wait()
	res.Requests = sch.requests
	for i, r := range runs {
		if finished[i] != nil {
			res.Failed = append(res.Failed, Failure{Mailbox: r.box.Mailbox, UserID: r.box.UserID, Error: finished[i].Error()})
		}
	}
	if len(res.Failed) > 0 {
		return *res, fmt.Errorf("%s: %d of %s failed (apply again to retry them)", op.name, len(res.Failed), plural(len(runs), "mailbox"))
	}
	return *res, ctx.Err()
}

// settleCopy books one copy's answer; false when it failed.
func (g *Graph) settleCopy(t *task, c *Copy, op operation, res *Result, r *boxRun) bool {
	a := t.answer
	switch {
	case a.Err == nil:
		op.ok(c)
		c.Error = ""
		res.Done++
	case a.Status == http.StatusNotFound:
		// Removed by someone else meanwhile (ids are immutable, so a
		// move elsewhere would not lose it).
		c.Gone, c.Error = true, ""
		res.Gone++
	default:
		c.Error = a.Err.Error()
		r.failed = append(r.failed, c.Error)
		return false
	}
	return true
}

// outcome is the mailbox's change as its result record states it.
func (r *boxRun) outcome() error {
	if len(r.failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %s failed: %s", len(r.failed), plural(len(r.copies), "copy"), r.failed[0])
}

// skipJunk marks the open copies already in Junk Email as done and
// untouched: junk mode would only move them onto themselves. It asks
// each mailbox with open copies for its Junk Email folder's id.
func (g *Graph) skipJunk(ctx context.Context, p *Plan) error {
	var tasks []*task
	boxes := map[*task]*Box{}
	for _, b := range p.Boxes {
		for _, c := range b.Copies {
			if c.open() {
				t := &task{user: b.UserID, item: graph.BatchItem{Method: http.MethodGet, URL: graph.UserPath(b.UserID) + "/mailFolders/junkemail?$select=id"}}
				tasks = append(tasks, t)
				boxes[t] = b
				break
			}
		}
	}
	g.scheduler().run(ctx, tasks, func(t *task) []*task {
		var f struct {
			ID string `json:"id"`
		}
		if t.answer.Err != nil || json.Unmarshal(t.answer.Body, &f) != nil || f.ID == "" {
			return nil // unknown: the moves go ahead and their answers count
		}
		for _, c := range boxes[t].Copies {
			if c.open() && c.Folder == f.ID {
				c.Purged, c.Untouched = Junk, true // counted as already done
			}
		}
		return nil
	})
	return ctx.Err()
}
