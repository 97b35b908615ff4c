package mailbox

// Every backend reply names the account it is for; Update drops the
// replies of other accounts' screens before looking at them.

// ForAccount implements accountMsg.
func (m FoldersLoadedMsg) ForAccount() string { return m.Account }

// ForAccount implements accountMsg.
func (m ListingLoadedMsg) ForAccount() string { return m.Account }

// ForAccount implements accountMsg.
func (m EnvelopesLoadedMsg) ForAccount() string { return m.Account }

// ForAccount implements accountMsg.
func (m EventMsg) ForAccount() string { return m.Account }

func (m seenFailedMsg) ForAccount() string      { return m.account }
func (m remediatedMsg) ForAccount() string      { return m.account }
func (m countsMsg) ForAccount() string          { return m.account }
func (m likeFoundMsg) ForAccount() string       { return m.account }
func (m searchDoneMsg) ForAccount() string      { return m.account }
func (m searchAllMsg) ForAccount() string       { return m.account }
func (m blockOptionsMsg) ForAccount() string    { return m.account }
func (m blockedMsg) ForAccount() string         { return m.account }
func (m campaignsMsg) ForAccount() string       { return m.account }
func (m folderInfoMsg) ForAccount() string      { return m.account }
func (m blockSendersMsg) ForAccount() string    { return m.account }
func (m reportsReadMsg) ForAccount() string     { return m.account }
func (m casesMsg) ForAccount() string           { return m.account }
func (m verdictDoneMsg) ForAccount() string     { return m.account }
func (m feedbackPreviewMsg) ForAccount() string { return m.account }
func (m feedbackSentMsg) ForAccount() string    { return m.account }
func (m reloadMsg) ForAccount() string          { return m.account }
func (m planMsg) ForAccount() string            { return m.account }
func (m purgeResultMsg) ForAccount() string     { return m.account }
func (m sentMsg) ForAccount() string            { return m.account }
