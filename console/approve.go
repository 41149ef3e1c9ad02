package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// approve applies a run's held deactivations: the console's only write. It is refused unless
// it comes from this console's own page, signed in, with the session's CSRF token, for a run
// that holds deactivations not yet approved.
func (c *console) approve(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.checkPost(w, r); !ok {
		return
	}
	if c.opt.Approve == nil {
		c.errorPage(w, r, http.StatusNotImplemented, "This console does not approve runs. Use: okta-clickup-sync approve RUN_ID")
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	run, err := c.opt.Store.Run(ctx, id)
	if err != nil {
		c.storeError(w, r, err)
		return
	}
	if _, err := c.opt.Store.Held(ctx, run.ID); errors.Is(err, ErrNotFound) {
		c.errorPage(w, r, http.StatusConflict, "Run "+run.ID+" held no deactivations; there is nothing to approve.")
		return
	} else if err != nil {
		c.storeError(w, r, err)
		return
	}
	if run.ApprovedBy != "" {
		c.errorPage(w, r, http.StatusConflict, "Run "+run.ID+" was already approved by run "+run.ApprovedBy+".")
		return
	}

	log := c.log.With().Str("run_id", run.ID).Str("remote_addr", r.RemoteAddr).Logger()
	log.Info().Msg("console approve requested")
	// The approval runs to its end even if the browser goes away: an approve cut off between
	// its writes would leave the operator guessing which were made.
	res, err := c.opt.Approve(context.WithoutCancel(ctx), run.ID)
	if err != nil {
		log.Error().Err(err).Str("approve_run_id", res.RunID).Msg("console approve failed")
		msg := "Approving run " + run.ID + " failed: " + truncate(err.Error(), 1000)
		if res.RunID != "" {
			msg += " (see run " + res.RunID + ")"
		}
		c.errorPage(w, r, http.StatusInternalServerError, msg)
		return
	}
	log.Info().Str("approve_run_id", res.RunID).Str("status", res.Status).Msg("console approve finished")
	flash := res.Message
	if flash == "" {
		flash = "Approved the deactivations held by run " + run.ID + "."
	}
	c.setCookie(w, r, flashCookie, c.keys.signFlash(truncate(flash, 1000)), 60)
	target := run.ID
	if res.RunID != "" {
		target = res.RunID
	}
	http.Redirect(w, r, "/ui/runs/"+url.PathEscape(target), http.StatusSeeOther)
}
