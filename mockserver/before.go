package mockserver

import (
	"context"
	"sync"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// askBefore fires a "before" callback (Live.CallbackBeforeSendGift) and waits for the app's
// answer, which decides whether the action goes ahead (webhook.DecideBefore). The callback goes
// at once, outside the outbox and the delivery conditions, since the action waits for it; its
// delivery is logged, marked Before, and Blocked when the answer stopped the action. When the
// callback configuration does not list the command, nothing is sent and the action goes ahead,
// as at the vendor. The caller must not hold the app's lock: the answer may take the whole
// deadline.
func (s *Server) askBefore(ctx context.Context, a *app, msg webhook.Message) webhook.BeforeVerdict {
	cmd := msg.Event.Command()
	a.mu.Lock()
	cb, token := a.callback, a.token.signingToken()
	a.mu.Unlock()
	if !cb.exists || !cb.commands[cmd] {
		return webhook.BeforeVerdict{Allowed: true, Reason: "the callback configuration does not list " + string(cmd)}
	}
	tg := &tag{seq: s.log.fire(), fired: time.Now()}
	res := s.client.Send(ctx, webhook.Endpoint{URL: cb.url, SDKAppID: a.SDKAppID, Token: token}, msg, webhook.URLOptions{})
	// cb.commands is never changed once made (a new configuration is a new map), so reading it
	// without the lock is safe.
	v := webhook.DecideBefore(res, cb.commands[webhook.CommandGiftNotBlock])
	d := newDelivery(tg, cmd, msg.Event.Room(), res.Request.Body, res, 1)
	d.Before, d.Blocked, d.Verdict = true, !v.Allowed, v.Reason
	s.log.record(d)
	verdict := "let the gift go"
	if d.Blocked {
		verdict = "blocked the gift"
	}
	s.logf("webhook #%d %s %s -> %s: %s (%s)", d.Seq, cmd.Short(), d.RoomId, verdict, v.Reason, d.Delay.Round(time.Microsecond))
	return v
}

// simulatedGift is a gift the activity drew in a room, waiting for the before-callback.
type simulatedGift struct {
	room *liveRoom
	gift room.SimulatedGift
}

// sendSimulatedGifts asks the app about each simulated gift, all at once, and counts those it
// lets through in rooms still open; it returns when every answer is in (or ctx ends).
func (s *Server) sendSimulatedGifts(ctx context.Context, a *app, gifts []simulatedGift) {
	if len(gifts) == 0 {
		return
	}
	allowed := make([]bool, len(gifts))
	var wg sync.WaitGroup
	now := s.cfg.Now()
	for i, g := range gifts {
		r := g.room.Info
		msg := webhook.Message{Event: &webhook.BeforeSendGift{OperatorAccount: g.gift.Sender, RoomId: r.RoomId,
			GiftWater: webhook.GiftWater{FromAccount: g.gift.Sender, ToAccount: []string{r.OwnerAccount.ID}, Time: now.Unix(),
				GiftId: g.gift.GiftID(), Count: g.gift.Count, Coins: int64(g.gift.Coins)}},
			Meta: webhook.Meta{OptPlatform: webhook.PlatformUnknown}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			allowed[i] = s.askBefore(ctx, a, msg).Allowed
		}()
	}
	wg.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, g := range gifts {
		if allowed[i] && a.rooms[g.room.Info.RoomId] == g.room {
			g.room.Gift(g.gift.Sender, g.gift.Count, g.gift.Coins)
		}
	}
}
