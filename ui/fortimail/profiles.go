package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
)

// profileAPI is what differs between session and antispam profiles: the
// calls and the words. Antispam profiles live at system or domain level
// (scope); session profiles only at system level.
type profileAPI[T bfm.Object] struct {
	title string // tab title
	noun  string // "session profile"
	// create, update and del name the changes for the audit and roles.
	createAction, updateAction, deleteAction remediate.Action
	scoped                                   bool
	fresh                                    func(name string) T
	list                                     func(ctx context.Context, c Gateway, scope string) ([]bfm.ProfileSummary, error)
	get                                      func(ctx context.Context, c Gateway, scope, name string) (T, error)
	create                                   func(ctx context.Context, c Gateway, scope string, p T) (T, error)
	update                                   func(ctx context.Context, c Gateway, scope, name string, ch []bfm.Change) (T, error)
	del                                      func(ctx context.Context, c Gateway, scope, name string) error
	// noteTitle and note are the list's second column.
	noteTitle string
	note      func(s bfm.ProfileSummary) string
}

func newSessionTab() *profilesTab[bfm.SessionProfile] {
	return &profilesTab[bfm.SessionProfile]{api: profileAPI[bfm.SessionProfile]{
		title: "Session profiles", noun: "session profile", createAction: remediate.FortiMailCreateSessionProfile, updateAction: remediate.FortiMailUpdateSessionProfile, deleteAction: remediate.FortiMailDeleteSessionProfile,
		fresh: bfm.NewSessionProfile,
		list: func(ctx context.Context, c Gateway, _ string) ([]bfm.ProfileSummary, error) {
			return c.ListSessionProfiles(ctx)
		},
		get: func(ctx context.Context, c Gateway, _, name string) (bfm.SessionProfile, error) {
			return c.GetSessionProfile(ctx, name)
		},
		create: func(ctx context.Context, c Gateway, _ string, p bfm.SessionProfile) (bfm.SessionProfile, error) {
			return c.CreateSessionProfile(ctx, p)
		},
		update: func(ctx context.Context, c Gateway, _, name string, ch []bfm.Change) (bfm.SessionProfile, error) {
			return c.UpdateSessionProfile(ctx, name, ch)
		},
		del: func(ctx context.Context, c Gateway, _, name string) error {
			return c.DeleteSessionProfile(ctx, name)
		},
		noteTitle: "Session action",
		note: func(s bfm.ProfileSummary) string {
			var a string
			if raw, ok := s.Extra["action"]; ok && json.Unmarshal(raw, &a) == nil && a != "" {
				return a
			}
			return "—"
		},
	}}
}

func newAntispamTab() *profilesTab[bfm.AntispamProfile] {
	return &profilesTab[bfm.AntispamProfile]{scope: bfm.System, api: profileAPI[bfm.AntispamProfile]{
		title: "Antispam profiles", noun: "antispam profile", createAction: remediate.FortiMailCreateAntispamProfile, updateAction: remediate.FortiMailUpdateAntispamProfile, deleteAction: remediate.FortiMailDeleteAntispamProfile, scoped: true,
		fresh: bfm.NewAntispamProfile,
		list: func(ctx context.Context, c Gateway, scope string) ([]bfm.ProfileSummary, error) {
			return c.ListAntispamProfiles(ctx, scope)
		},
		get: func(ctx context.Context, c Gateway, scope, name string) (bfm.AntispamProfile, error) {
			return c.GetAntispamProfile(ctx, scope, name)
		},
		create: func(ctx context.Context, c Gateway, scope string, p bfm.AntispamProfile) (bfm.AntispamProfile, error) {
			return c.CreateAntispamProfile(ctx, scope, p)
		},
		update: func(ctx context.Context, c Gateway, scope, name string, ch []bfm.Change) (bfm.AntispamProfile, error) {
			return c.UpdateAntispamProfile(ctx, scope, name, ch)
		},
		del: func(ctx context.Context, c Gateway, scope, name string) error {
			return c.DeleteAntispamProfile(ctx, scope, name)
		},
		noteTitle: "Used by",
		note:      func(s bfm.ProfileSummary) string { return policies(s.References) },
	}}
}

// profilesTab lists profiles of one kind and shows, edits, creates and
// deletes them.
type profilesTab[T bfm.Object] struct {
	api    profileAPI[T]
	scope  string
	scopes []string // system and the domains, for antispam profiles

	items   []bfm.ProfileSummary
	cur     cursor
	done    bool
	loading bool
	err     error
	listReq common.Slot

	// The open profile; open == "" shows the list.
	open     string
	obj      *T
	dLoading bool
	dErr     error
	openReq  common.Slot
	scroll   scroller
	// page is the open profile's detail page as last laid out.
	page detailPage[T]
	// editOnLoad opens the form once the profile arrives (e from the list).
	editOnLoad bool
}

// detailPage is a profile's detail page laid out, and what for: the
// profile (a new pointer whenever one arrives), the width and the theme.
// Laying out every setting (about 130 for a session profile: catalogue,
// reflection, JSON of the read-only keys) on each key press and frame
// cost more than the rest of the frame many times over.
type detailPage[T bfm.Object] struct {
	obj   *T
	width int
	// theme names the styles the lines are drawn in: :theme restyles in
	// place (the *Styles stays the same), and within a session the
	// styles follow from the theme's name ([colors] are the session's).
	theme string
	lines []string
}

type profilesMsg[T bfm.Object] struct {
	ticket common.Ticket
	items  []bfm.ProfileSummary
	scopes []string
	err    error
}

type profileMsg[T bfm.Object] struct {
	ticket common.Ticket
	p      T
	err    error
}

type profileSavedMsg[T bfm.Object] struct {
	scope, name string
	p           T
	created     bool
	changes     int
	err         error
}

type profileDeletedMsg[T bfm.Object] struct {
	scope, name string
	err         error
}

func nameOf[T bfm.Object](p T) string {
	v, _ := bfm.FieldValue(p, "mkey")
	s, _ := v.(string)
	return s
}

func (t *profilesTab[T]) loaded() bool { return t.done }
func (t *profilesTab[T]) busy() bool   { return t.loading || t.dLoading }

func (t *profilesTab[T]) crumbs() string {
	s := t.api.title
	if t.api.scoped {
		s += " (" + t.scope + ")"
	}
	if t.open != "" {
		s += " › " + t.open
	}
	return s
}

func (t *profilesTab[T]) summary() string {
	if t.open != "" {
		return t.api.noun + " " + t.open
	}
	if !t.done {
		return ""
	}
	return fmt.Sprintf("%d %ss", len(t.items), t.api.noun)
}

// load fetches the list, and the open profile again if there is one.
func (t *profilesTab[T]) load(m *Model) tea.Cmd {
	scope, api := t.scope, t.api
	t.loading, t.err = true, nil
	what := "list " + api.noun + "s"
	if api.scoped {
		what += " of " + scope
	}
	cmd := load(m, &t.listReq, what, func(ctx context.Context, c Gateway) (profilesMsg[T], error) {
		items, err := api.list(ctx, c, scope)
		if err != nil || !api.scoped {
			return profilesMsg[T]{items: items}, err
		}
		// The scopes to choose from: system and every protected domain.
		domains, err := c.ListDomains(ctx)
		scopes := []string{bfm.System}
		for _, d := range domains {
			scopes = append(scopes, d.Name)
		}
		return profilesMsg[T]{items: items, scopes: scopes}, err
	}, func(tk common.Ticket, v profilesMsg[T], err error) tea.Msg {
		v.ticket, v.err = tk, err
		return v
	})
	if t.open != "" {
		return tea.Batch(cmd, t.loadDetail(m))
	}
	return cmd
}

func (t *profilesTab[T]) loadDetail(m *Model) tea.Cmd {
	scope, name, api := t.scope, t.open, t.api
	t.dLoading, t.dErr = true, nil
	return load(m, &t.openReq, fmt.Sprintf("get %s %q", api.noun, name), func(ctx context.Context, c Gateway) (T, error) {
		return api.get(ctx, c, scope, name)
	}, func(tk common.Ticket, p T, err error) tea.Msg { return profileMsg[T]{ticket: tk, p: p, err: err} })
}

// openProfile shows one profile (of scope) and fetches it.
func (t *profilesTab[T]) openProfile(m *Model, scope, name string) tea.Cmd {
	if t.api.scoped && scope != t.scope {
		t.scope = scope
		t.done = false
	}
	t.open, t.obj, t.scroll = name, nil, scroller{}
	cmds := []tea.Cmd{t.loadDetail(m)}
	if !t.done && !t.loading {
		cmds = append(cmds, t.load(m))
	}
	return tea.Batch(cmds...)
}

func (t *profilesTab[T]) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case profilesMsg[T]:
		if !msg.ticket.Current() {
			return nil
		}
		t.loading = false
		if msg.err != nil {
			t.err = msg.err
			return failed(t.api.title, msg.err)
		}
		t.items, t.done = msg.items, true
		if msg.scopes != nil {
			t.scopes = msg.scopes
		}
		t.cur.clamp(len(t.items))
	case profileMsg[T]:
		if !msg.ticket.Current() {
			return nil
		}
		t.dLoading = false
		if msg.err != nil {
			t.dErr, t.editOnLoad = msg.err, false
			return failed(fmt.Sprintf("%s %q", t.api.noun, t.open), msg.err)
		}
		p := msg.p
		t.obj = &p
		if t.editOnLoad {
			t.editOnLoad = false
			t.openEdit(m)
		}
	case profileSavedMsg[T]:
		return t.saved(m, msg)
	case profileDeletedMsg[T]:
		if msg.err != nil {
			return failed(fmt.Sprintf("delete %s %q", t.api.noun, msg.name), msg.err)
		}
		if t.open == msg.name && t.scope == msg.scope {
			t.open, t.obj = "", nil
		}
		return tea.Batch(t.load(m), common.Info(fmt.Sprintf("%s %q deleted", t.api.noun, msg.name)))
	}
	return nil
}

func (t *profilesTab[T]) saved(m *Model, msg profileSavedMsg[T]) tea.Cmd {
	verb := "update"
	if msg.created {
		verb = "create"
	}
	if msg.err != nil {
		if m.form != nil && m.form.busy {
			m.form.busy = false
			m.form.SetError("the appliance refused: " + msg.err.Error())
		}
		return failed(fmt.Sprintf("%s %s %q", verb, t.api.noun, msg.name), msg.err)
	}
	if m.form != nil && m.form.busy {
		m.form = nil
	}
	if t.api.scoped && msg.scope != t.scope {
		return nil
	}
	t.open, t.scroll = msg.name, scroller{}
	if nameOf(msg.p) == msg.name {
		p := msg.p
		t.obj = &p
	}
	info := fmt.Sprintf("%s %q created", t.api.noun, msg.name)
	if !msg.created {
		info = fmt.Sprintf("%s %q updated (%d field(s))", t.api.noun, msg.name, msg.changes)
	}
	return tea.Batch(t.load(m), common.Info(info))
}

func (t *profilesTab[T]) selected() (bfm.ProfileSummary, bool) {
	if t.cur.pos < len(t.items) {
		return t.items[t.cur.pos], true
	}
	return bfm.ProfileSummary{}, false
}

func (t *profilesTab[T]) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	if t.open != "" {
		switch {
		case key.Matches(k, km.Back):
			t.open, t.obj, t.dErr, t.editOnLoad = "", nil, nil, false
			t.openReq.Cancel() // a late reply is not for us any more
			t.dLoading = false
		case key.Matches(k, km.Edit):
			if t.obj == nil {
				return common.Info("the profile is still loading")
			}
			t.openEdit(m)
		case key.Matches(k, km.Delete):
			t.confirmDelete(m, t.open, t.references(t.open))
		case key.Matches(k, km.New):
			t.openCreate(m)
		default:
			t.scroll.key(m, k, len(t.detail(m)), m.bodyHeight())
		}
		return nil
	}
	if m.navigate(k, &t.cur, len(t.items)) {
		return nil
	}
	switch {
	case key.Matches(k, km.Open), key.Matches(k, km.Edit):
		s, ok := t.selected()
		if !ok {
			return nil
		}
		cmd := t.openProfile(m, t.scope, s.Name)
		t.editOnLoad = key.Matches(k, km.Edit)
		return cmd
	case key.Matches(k, km.New):
		t.openCreate(m)
	case key.Matches(k, km.Delete):
		if s, ok := t.selected(); ok {
			t.confirmDelete(m, s.Name, s.References)
		}
	case key.Matches(k, km.Scope) && t.api.scoped:
		if len(t.scopes) < 2 {
			return common.Info("no protected domains to switch to")
		}
		i := 0
		for j, s := range t.scopes {
			if s == t.scope {
				i = j
			}
		}
		t.scope = t.scopes[(i+1)%len(t.scopes)]
		t.items, t.done, t.cur = nil, false, cursor{}
		return t.load(m)
	}
	return nil
}

func (t *profilesTab[T]) references(name string) int {
	for _, it := range t.items {
		if it.Name == name {
			return it.References
		}
	}
	return 0
}

// openEdit opens the form on the loaded profile. Submitting shows the
// diff; only y sends it, and only the changed fields travel.
func (t *profilesTab[T]) openEdit(m *Model) {
	old := *t.obj
	scope, name := t.scope, t.open
	f := newForm(m, fmt.Sprintf("Edit %s %q", t.api.noun, name), profileFields(old), func(n string) any {
		v, _ := bfm.FieldValue(old, n)
		return v
	})
	f.submit = func(m *Model, vals []fieldValue) (tea.Cmd, error) {
		edited := old
		for _, v := range vals {
			if err := bfm.SetField(&edited, v.name, v.value); err != nil {
				return nil, err
			}
		}
		changes := bfm.Diff(old, edited)
		if len(changes) == 0 {
			return common.Info("no changes to send"), nil
		}
		lines := changeLines(labelled[T](changes))
		m.overlay = &confirm{
			title: fmt.Sprintf("Send %d change(s) to %s %q?", len(changes), t.api.noun, name),
			body:  lines,
			onYes: func() tea.Cmd {
				f.busy = true
				detail := fmt.Sprintf("%s %q: %s", t.api.noun, name, strings.Join(lines, "; "))
				if t.api.scoped {
					detail = scope + " " + detail
				}
				api := t.api
				return tea.Batch(change(m, api.updateAction, fmt.Sprintf("update %s %q", api.noun, name), detail,
					func(ctx context.Context, c Gateway) (T, error) { return api.update(ctx, c, scope, name, changes) },
					func(p T, err error) tea.Msg {
						return profileSavedMsg[T]{scope: scope, name: name, p: p, changes: len(changes), err: err}
					}), m.spinTick())
			},
			onNo: func() tea.Cmd { return common.Info("not sent: the form is still open") },
		}
		return nil, nil
	}
	m.form = f
}

// openCreate opens the form for a new profile with the package's
// starting values; the question before creating lists what differs from
// them.
func (t *profilesTab[T]) openCreate(m *Model) {
	scope, api := t.scope, t.api
	start := api.fresh("")
	title := "New " + api.noun
	if api.scoped {
		title += " in " + scope
	}
	f := newForm(m, title, bfm.Fields[T](), func(n string) any {
		v, _ := bfm.FieldValue(start, n)
		return v
	})
	f.submit = func(m *Model, vals []fieldValue) (tea.Cmd, error) {
		p := api.fresh("")
		for _, v := range vals {
			if err := bfm.SetField(&p, v.name, v.value); err != nil {
				return nil, err
			}
		}
		name := nameOf(p)
		lines := changeLines(bfm.Diff(api.fresh(name), p))
		body := []string{"settings other than the starting values:"}
		if len(lines) == 0 {
			body = []string{"every setting at its starting value"}
		}
		body = append(body, lines...)
		m.overlay = &confirm{
			title: fmt.Sprintf("Create %s %q?", api.noun, name),
			body:  body,
			onYes: func() tea.Cmd {
				f.busy = true
				detail := fmt.Sprintf("%s %q: %s", api.noun, name, strings.Join(lines, "; "))
				if api.scoped {
					detail = scope + " " + detail
				}
				return tea.Batch(change(m, api.createAction, fmt.Sprintf("create %s %q", api.noun, name), detail,
					func(ctx context.Context, c Gateway) (T, error) { return api.create(ctx, c, scope, p) },
					func(p T, err error) tea.Msg {
						return profileSavedMsg[T]{scope: scope, name: name, p: p, created: true, err: err}
					}), m.spinTick())
			},
			onNo: func() tea.Cmd { return common.Info("not created: the form is still open") },
		}
		return nil, nil
	}
	m.form = f
}

func (t *profilesTab[T]) confirmDelete(m *Model, name string, refs int) {
	scope, api := t.scope, t.api
	var body []string
	if refs > 0 {
		body = append(body, fmt.Sprintf("%d policy(ies) use it: the appliance will refuse until they no longer do", refs))
	}
	m.overlay = &confirm{
		title:  fmt.Sprintf("Delete %s %q? This cannot be undone.", api.noun, name),
		body:   body,
		danger: true,
		onYes: func() tea.Cmd {
			detail := fmt.Sprintf("%s %q", api.noun, name)
			if api.scoped {
				detail = scope + " " + detail
			}
			return change(m, api.deleteAction, "delete "+detail, detail,
				func(ctx context.Context, c Gateway) (struct{}, error) {
					return struct{}{}, api.del(ctx, c, scope, name)
				},
				func(_ struct{}, err error) tea.Msg { return profileDeletedMsg[T]{scope: scope, name: name, err: err} })
		},
	}
}

func policies(n int) string {
	if n == 1 {
		return "1 policy"
	}
	return fmt.Sprintf("%d policies", n)
}

func changeLines(changes []bfm.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.String()
	}
	return out
}

func (t *profilesTab[T]) detail(m *Model) []string {
	if t.obj == nil {
		return nil
	}
	pg := &t.page
	if pg.obj == t.obj && pg.width == m.width && pg.theme == m.c.Styles.Theme.Name {
		return pg.lines
	}
	p := *t.obj
	out := m.detailLines(profileFields(p), func(n string) (any, bool) { return bfm.FieldValue(p, n) }, 0)
	out = append(out, readOnlyLines(m, p)...)
	// Clipped: a caller appending to a window of it gets a copy.
	*pg = detailPage[T]{obj: t.obj, width: m.width, theme: m.c.Styles.Theme.Name, lines: slices.Clip(out)}
	return pg.lines
}

// readOnlyLines shows the keys no form edits (objects, lists) as JSON.
func readOnlyLines[T bfm.Object](m *Model, p T) []string {
	names := extraOnly(p)
	if len(names) == 0 {
		return nil
	}
	st := m.c.Styles
	labelW, _ := columns(m.width)
	out := []string{"", st.Header.Render(" " + otherSection + " (read-only: not single values)")}
	for _, n := range names {
		v, _ := bfm.FieldValue(p, n)
		raw, _ := json.Marshal(v)
		out = append(out, rowIn([]column{{plain(""), 2}, {txt(n), labelW + 1}, {txt(string(raw)), 0}}, m.width, st.Text, st.Marker))
	}
	return out
}

// labelled gives changes to keys the backend keeps in Extra the
// catalogue's label, so the diff before y reads as the detail page does.
func labelled[T bfm.Object](changes []bfm.Change) []bfm.Change {
	out := append([]bfm.Change(nil), changes...)
	for i, c := range out {
		if c.Label == "" {
			out[i].Label = labelOf[T](c.Field)
		}
	}
	return out
}

// extraOf counts the settings kept in Extra.
func extraOf[T bfm.Object](p T) int { return len(extraMap(p)) }

func (t *profilesTab[T]) render(m *Model, h int) []string {
	st := m.c.Styles
	if t.open != "" {
		switch {
		case t.obj == nil && t.dErr != nil:
			return m.errorLines(fmt.Sprintf("%s %q", t.api.noun, t.open), t.dErr)
		case t.obj == nil:
			return []string{m.loadingLine(t.api.noun)}
		}
		return t.scroll.window(t.detail(m), h)
	}
	if !t.done {
		if t.err != nil {
			return m.errorLines(t.api.noun+"s", t.err)
		}
		return []string{m.loadingLine(t.api.noun + "s")}
	}
	cols := func(name, note, comment string) []column {
		return []column{{plain(" "), 1}, {txt(name), 24}, {txt(note), 18}, {txt(comment), 0}}
	}
	out := []string{m.header(cols("Name", t.api.noteTitle, "Comment"))}
	out = append(out, m.table(h-2, &t.cur, len(t.items), "no "+t.api.noun+"s", func(i int, sel bool) string {
		it := t.items[i]
		return m.row(cols(it.Name, t.api.note(it), it.Comment), sel)
	})...)
	if t.err != nil {
		out = append(out, common.Cell(txt(" reload failed: "+t.err.Error()), m.width, st.Danger, st.Marker))
	}
	return out
}

func (t *profilesTab[T]) help(m *Model) []key.Binding {
	k := m.keys
	if t.open != "" {
		return []key.Binding{k.Edit, k.Delete, k.New, k.Back, k.Reload, k.NextTab}
	}
	hs := []key.Binding{k.Open, k.Edit, k.New, k.Delete}
	if t.api.scoped {
		hs = append(hs, k.Scope)
	}
	return append(hs, k.NextTab, k.Reload)
}
