package mockserver

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// Codes of the gift APIs (the send_gift page, trtc.io/document/72556, and its Chinese version's
// error table).
const (
	CodeNoGift = 102002
	// CodeGiftBlocked: the before-send-gift callback failed, refused or was not answered in time.
	CodeGiftBlocked = 102004
)

// Limits of the gift pages (add_gift trtc.io/document/72845, add_gift_category 72848).
const (
	MaxGiftIDBytes        = 20
	MaxGiftNameBytes      = 20
	MaxGiftDescBytes      = 20
	MaxCategoryDescBytes  = 60
	MaxGiftURLBytes       = 200
	MaxGiftExtensionBytes = 100
)

// GiftLanguages are the languages the gift pages take.
var GiftLanguages = []string{"en", "zh-Hans", "zh-Hant"}

// giftText is a gift's or a category's name and description in one language.
type giftText struct{ name, desc string }

type gift struct {
	id, iconURL, resourceURL, extension, name, desc string
	coins                                           int64
	level                                           int
	created                                         int64
	langs                                           map[string]giftText
}

type giftCategory struct {
	id, extension, name, desc string
	gifts                     []string
	langs                     map[string]giftText
}

// giftCatalog is an app's gifts and gift categories, in the order they were added.
type giftCatalog struct {
	gifts  map[string]*gift
	order  []string
	cats   map[string]*giftCategory
	corder []string
}

func (g *giftCatalog) init() {
	if g.gifts == nil {
		g.gifts, g.cats = map[string]*gift{}, map[string]*giftCategory{}
	}
}

// giftRequest is the body of add_gift and edit_gift.
type giftRequest struct {
	GiftId        *string `json:"GiftId"`
	IconUrl       *string `json:"IconUrl"`
	ResourceUrl   *string `json:"ResourceUrl"`
	Coins         *int64  `json:"Coins"`
	Level         *int    `json:"Level"`
	ExtensionInfo *string `json:"ExtensionInfo"`
	DefaultName   *string `json:"DefaultName"`
	DefaultDesc   *string `json:"DefaultDesc"`
}

func checkLen(field string, v *string, limit int) *apiError {
	if v != nil && len(*v) > limit {
		return fail(CodeBadParameter, "%s is %d bytes, at most %d are allowed", field, len(*v), limit)
	}
	return nil
}

func checkExtension(v *string) *apiError {
	if err := checkLen("ExtensionInfo", v, MaxGiftExtensionBytes); err != nil {
		return err
	}
	if v != nil && *v != "" && !json.Valid([]byte(*v)) {
		return fail(CodeBadParameter, "ExtensionInfo is not JSON: it must be a JSON string such as {\"key\":\"value\"}")
	}
	return nil
}

func requireID(field string, v *string, limit int) *apiError {
	if v == nil || *v == "" {
		return fail(CodeBadParameter, "%s is missing", field)
	}
	return checkLen(field, v, limit)
}

func (req giftRequest) check(add bool) *apiError {
	if err := requireID("GiftId", req.GiftId, MaxGiftIDBytes); err != nil {
		return err
	}
	if add {
		switch {
		case req.Coins == nil:
			return fail(CodeBadParameter, "Coins is missing: the gift's price in virtual currency")
		case req.DefaultName == nil:
			return fail(CodeBadParameter, "DefaultName is missing: the gift's default name, at most %d bytes", MaxGiftNameBytes)
		}
	}
	if req.Coins != nil && *req.Coins < 0 {
		return fail(CodeBadParameter, "Coins is %d, want 0 or more", *req.Coins)
	}
	if req.Level != nil && *req.Level < 0 {
		return fail(CodeBadParameter, "Level is %d, want 0 or more", *req.Level)
	}
	for _, c := range []struct {
		f     string
		v     *string
		limit int
	}{{"IconUrl", req.IconUrl, MaxGiftURLBytes}, {"ResourceUrl", req.ResourceUrl, MaxGiftURLBytes},
		{"DefaultName", req.DefaultName, MaxGiftNameBytes}, {"DefaultDesc", req.DefaultDesc, MaxGiftDescBytes}} {
		if err := checkLen(c.f, c.v, c.limit); err != nil {
			return err
		}
	}
	return checkExtension(req.ExtensionInfo)
}

func (g *gift) apply(req giftRequest) {
	setp(&g.iconURL, req.IconUrl)
	setp(&g.resourceURL, req.ResourceUrl)
	setp(&g.coins, req.Coins)
	setp(&g.level, req.Level)
	setp(&g.extension, req.ExtensionInfo)
	setp(&g.name, req.DefaultName)
	setp(&g.desc, req.DefaultDesc)
}

func (s *Server) addGift(c call, body []byte) (any, *apiError) {
	var req giftRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := req.check(true); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gifts.init()
	if _, ok := a.gifts.gifts[*req.GiftId]; ok {
		return nil, fail(CodeBadParameter, "gift %q exists: change it with edit_gift", *req.GiftId)
	}
	g := &gift{id: *req.GiftId, created: s.cfg.Now().Unix(), langs: map[string]giftText{}}
	g.apply(req)
	a.gifts.gifts[g.id] = g
	a.gifts.order = append(a.gifts.order, g.id)
	return nil, nil
}

// findGift finds the gift a request names; the caller holds the app's lock.
func (a *app) findGift(id *string) (*gift, *apiError) {
	if err := requireID("GiftId", id, MaxGiftIDBytes); err != nil {
		return nil, err
	}
	g, ok := a.gifts.gifts[*id]
	if !ok {
		return nil, fail(CodeNoGift, "gift %q does not exist: add it with add_gift", *id)
	}
	return g, nil
}

func (s *Server) editGift(c call, body []byte) (any, *apiError) {
	var req giftRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := req.check(false); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	g, err := a.findGift(req.GiftId)
	if err != nil {
		return nil, err
	}
	g.apply(req)
	return nil, nil
}

func (s *Server) delGift(c call, body []byte) (any, *apiError) {
	var req struct {
		GiftId *string `json:"GiftId"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.findGift(req.GiftId); err != nil {
		return nil, err
	}
	delete(a.gifts.gifts, *req.GiftId)
	a.gifts.order = slices.DeleteFunc(a.gifts.order, func(id string) bool { return id == *req.GiftId })
	for _, cat := range a.gifts.cats {
		cat.gifts = slices.DeleteFunc(cat.gifts, func(id string) bool { return id == *req.GiftId })
	}
	return nil, nil
}

// giftInfo is a gift as get_gift answers it (the page's GiftInfo).
type giftInfo struct {
	GiftId        string `json:"GiftId"`
	IconUrl       string `json:"IconUrl"`
	ResourceUrl   string `json:"ResourceUrl"`
	Coins         int64  `json:"Coins"`
	Level         int    `json:"Level"`
	ExtensionInfo string `json:"ExtensionInfo"`
	DefaultName   string `json:"DefaultName"`
	DefaultDesc   string `json:"DefaultDesc"`
}

func (g *gift) info() giftInfo {
	return giftInfo{g.id, g.iconURL, g.resourceURL, g.coins, g.level, g.extension, g.name, g.desc}
}

func (s *Server) getGift(c call, body []byte) (any, *apiError) {
	var req struct {
		GiftId *string `json:"GiftId"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	g, err := a.findGift(req.GiftId)
	if err != nil {
		return nil, err
	}
	return struct{ GiftInfo giftInfo }{g.info()}, nil
}

// The entries of get_gift_info_list, as the console reads them (TUILiveKit_Manager's gift
// table: GiftList items with Name, Desc, LanguageList; CategoryList items with CategoryName,
// CategoryDesc, GiftIdList).
type (
	giftLanguage struct {
		Language string `json:"Language"`
		Name     string `json:"Name"`
		Desc     string `json:"Desc"`
	}
	giftListItem struct {
		giftInfo
		Name         string         `json:"Name"`
		Desc         string         `json:"Desc"`
		CreateTime   int64          `json:"CreateTime"`
		LanguageList []giftLanguage `json:"LanguageList"`
	}
	categoryLanguage struct {
		Language     string `json:"Language"`
		CategoryName string `json:"CategoryName"`
		CategoryDesc string `json:"CategoryDesc"`
	}
	categoryItem struct {
		CategoryId    string             `json:"CategoryId"`
		CategoryName  string             `json:"CategoryName"`
		CategoryDesc  string             `json:"CategoryDesc"`
		DefaultName   string             `json:"DefaultName"`
		DefaultDesc   string             `json:"DefaultDesc"`
		ExtensionInfo string             `json:"ExtensionInfo"`
		GiftIdList    []string           `json:"GiftIdList"`
		LanguageList  []categoryLanguage `json:"LanguageList"`
	}
)

// text is the name and description in lang, or the defaults.
func text(langs map[string]giftText, lang, name, desc string) giftText {
	if t, ok := langs[lang]; ok {
		return t
	}
	return giftText{name, desc}
}

func (g *gift) item(lang string) giftListItem {
	t := text(g.langs, lang, g.name, g.desc)
	it := giftListItem{giftInfo: g.info(), Name: t.name, Desc: t.desc, CreateTime: g.created, LanguageList: []giftLanguage{}}
	for _, l := range GiftLanguages {
		if t, ok := g.langs[l]; ok {
			it.LanguageList = append(it.LanguageList, giftLanguage{l, t.name, t.desc})
		}
	}
	return it
}

func (cat *giftCategory) item(lang string) categoryItem {
	t := text(cat.langs, lang, cat.name, cat.desc)
	it := categoryItem{CategoryId: cat.id, CategoryName: t.name, CategoryDesc: t.desc, DefaultName: cat.name, DefaultDesc: cat.desc,
		ExtensionInfo: cat.extension, GiftIdList: append([]string{}, cat.gifts...), LanguageList: []categoryLanguage{}}
	for _, l := range GiftLanguages {
		if t, ok := cat.langs[l]; ok {
			it.LanguageList = append(it.LanguageList, categoryLanguage{l, t.name, t.desc})
		}
	}
	return it
}

func checkLanguage(lang *string, required bool) *apiError {
	switch {
	case lang == nil || *lang == "":
		if required {
			return fail(CodeBadParameter, "Language is missing: one of %v", GiftLanguages)
		}
	case !slices.Contains(GiftLanguages, *lang):
		return fail(CodeBadParameter, "Language is %q, want one of %v", *lang, GiftLanguages)
	}
	return nil
}

func (s *Server) getGiftInfoList(c call, body []byte) (any, *apiError) {
	var req struct {
		Language *string `json:"Language"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if err := checkLanguage(req.Language, false); err != nil {
		return nil, err
	}
	lang := ""
	setp(&lang, req.Language)
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	out := struct {
		GiftList     []giftListItem
		CategoryList []categoryItem
		TotalCount   int
	}{GiftList: []giftListItem{}, CategoryList: []categoryItem{}}
	for _, id := range a.gifts.order {
		out.GiftList = append(out.GiftList, a.gifts.gifts[id].item(lang))
	}
	for _, id := range a.gifts.corder {
		out.CategoryList = append(out.CategoryList, a.gifts.cats[id].item(lang))
	}
	out.TotalCount = len(out.GiftList)
	return out, nil
}

// languageRequest is the body of the language APIs of gifts (GiftId) and categories (CategoryId).
type languageRequest struct {
	GiftId       *string `json:"GiftId"`
	CategoryId   *string `json:"CategoryId"`
	Language     *string `json:"Language"`
	Name         *string `json:"Name"`
	Desc         *string `json:"Desc"`
	CategoryName *string `json:"CategoryName"`
	CategoryDesc *string `json:"CategoryDesc"`
}

// languages finds the language table the request names, under the app's lock.
func (a *app) languages(req languageRequest, category bool) (map[string]giftText, *apiError) {
	if category {
		cat, err := a.findCategory(req.CategoryId)
		if err != nil {
			return nil, err
		}
		return cat.langs, nil
	}
	g, err := a.findGift(req.GiftId)
	if err != nil {
		return nil, err
	}
	return g.langs, nil
}

func (s *Server) languageAPI(op string, category bool) handler {
	return func(c call, body []byte) (any, *apiError) {
		var req languageRequest
		if err := decode(body, &req); err != nil {
			return nil, err
		}
		if err := checkLanguage(req.Language, true); err != nil {
			return nil, err
		}
		name, desc, descLimit := req.Name, req.Desc, MaxGiftDescBytes
		if category {
			name, desc, descLimit = req.CategoryName, req.CategoryDesc, MaxCategoryDescBytes
		}
		if op == "set" {
			// A gift's name is always required; a category's only the first time, as
			// set_gift_category_language's page says (CategoryName "required the first time,
			// optional afterwards").
			if name == nil && !category {
				return nil, fail(CodeBadParameter, "the name in %s is missing", *req.Language)
			}
			if err := checkLen("the name", name, MaxGiftNameBytes); err != nil {
				return nil, err
			}
			if err := checkLen("the description", desc, descLimit); err != nil {
				return nil, err
			}
		}
		a := c.app
		a.mu.Lock()
		defer a.mu.Unlock()
		langs, err := a.languages(req, category)
		if err != nil {
			return nil, err
		}
		switch op {
		case "set":
			t, had := langs[*req.Language]
			switch {
			case !had && name == nil:
				return nil, fail(CodeBadParameter, "CategoryName in %s is missing: it is required the first time a language is set", *req.Language)
			case category:
				// Setting again changes only the fields the request gives (the page's note).
				setp(&t.name, name)
				setp(&t.desc, desc)
			default:
				t = giftText{name: *name}
				setp(&t.desc, desc)
			}
			langs[*req.Language] = t
		case "del":
			delete(langs, *req.Language)
		default:
			t, ok := langs[*req.Language]
			if !ok {
				return nil, fail(CodeBadParameter, "no %s text is set: set it with set_%s_language", *req.Language, map[bool]string{false: "gift", true: "gift_category"}[category])
			}
			if category {
				return struct{ Language categoryLanguage }{categoryLanguage{*req.Language, t.name, t.desc}}, nil
			}
			return struct{ Language giftLanguage }{giftLanguage{*req.Language, t.name, t.desc}}, nil
		}
		return nil, nil
	}
}

// categoryRequest is the body of add_gift_category and edit_gift_category.
type categoryRequest struct {
	CategoryId    *string `json:"CategoryId"`
	ExtensionInfo *string `json:"ExtensionInfo"`
	DefaultName   *string `json:"DefaultName"`
	DefaultDesc   *string `json:"DefaultDesc"`
}

func (req categoryRequest) check(add bool) *apiError {
	if err := requireID("CategoryId", req.CategoryId, MaxGiftIDBytes); err != nil {
		return err
	}
	if add && req.DefaultName == nil {
		return fail(CodeBadParameter, "DefaultName is missing: the category's default name, at most %d bytes", MaxGiftNameBytes)
	}
	if err := checkLen("DefaultName", req.DefaultName, MaxGiftNameBytes); err != nil {
		return err
	}
	if err := checkLen("DefaultDesc", req.DefaultDesc, MaxCategoryDescBytes); err != nil {
		return err
	}
	return checkExtension(req.ExtensionInfo)
}

func (a *app) findCategory(id *string) (*giftCategory, *apiError) {
	if err := requireID("CategoryId", id, MaxGiftIDBytes); err != nil {
		return nil, err
	}
	cat, ok := a.gifts.cats[*id]
	if !ok {
		return nil, fail(CodeBadParameter, "gift category %q does not exist: add it with add_gift_category", *id)
	}
	return cat, nil
}

func (s *Server) categoryAPI(op string) handler {
	return func(c call, body []byte) (any, *apiError) {
		var req categoryRequest
		if err := decode(body, &req); err != nil {
			return nil, err
		}
		if op != "get" && op != "del" {
			if err := req.check(op == "add"); err != nil {
				return nil, err
			}
		}
		a := c.app
		a.mu.Lock()
		defer a.mu.Unlock()
		a.gifts.init()
		if op == "add" {
			if _, ok := a.gifts.cats[*req.CategoryId]; ok {
				return nil, fail(CodeBadParameter, "gift category %q exists: change it with edit_gift_category", *req.CategoryId)
			}
			cat := &giftCategory{id: *req.CategoryId, langs: map[string]giftText{}}
			setp(&cat.name, req.DefaultName)
			setp(&cat.desc, req.DefaultDesc)
			setp(&cat.extension, req.ExtensionInfo)
			a.gifts.cats[cat.id] = cat
			a.gifts.corder = append(a.gifts.corder, cat.id)
			return nil, nil
		}
		if op == "del" {
			if err := requireID("CategoryId", req.CategoryId, MaxGiftIDBytes); err != nil {
				return nil, err
			}
			if _, ok := a.gifts.cats[*req.CategoryId]; !ok {
				// "The API returns success if the gift category was deleted, or if the
				// category does not exist" (del_gift_category).
				return nil, nil
			}
		}
		cat, err := a.findCategory(req.CategoryId)
		if err != nil {
			return nil, err
		}
		switch op {
		case "edit":
			setp(&cat.name, req.DefaultName)
			setp(&cat.desc, req.DefaultDesc)
			setp(&cat.extension, req.ExtensionInfo)
		case "del":
			delete(a.gifts.cats, cat.id)
			a.gifts.corder = slices.DeleteFunc(a.gifts.corder, func(id string) bool { return id == cat.id })
		default:
			return struct{ Category categoryItem }{cat.item("")}, nil
		}
		return nil, nil
	}
}

// relationsAPI adds gifts to a category (add_gift_category_relations) or takes them out.
func (s *Server) relationsAPI(add bool) handler {
	return func(c call, body []byte) (any, *apiError) {
		var req struct {
			CategoryId *string  `json:"CategoryId"`
			GiftIdList []string `json:"GiftIdList"`
		}
		if err := decode(body, &req); err != nil {
			return nil, err
		}
		if len(req.GiftIdList) == 0 {
			return nil, fail(CodeBadParameter, "GiftIdList is missing or empty")
		}
		a := c.app
		a.mu.Lock()
		defer a.mu.Unlock()
		cat, err := a.findCategory(req.CategoryId)
		if err != nil {
			return nil, err
		}
		for i, id := range req.GiftIdList {
			if _, err := a.findGift(&id); err != nil {
				return nil, &apiError{err.code, fmt.Sprintf("GiftIdList[%d]: %s", i, err.info)}
			}
		}
		for _, id := range req.GiftIdList {
			has := slices.Contains(cat.gifts, id)
			switch {
			case add && !has:
				cat.gifts = append(cat.gifts, id)
			case !add && has:
				cat.gifts = slices.DeleteFunc(cat.gifts, func(g string) bool { return g == id })
			}
		}
		return nil, nil
	}
}

// sendGift is send_gift (trtc.io/document/72556): the gift must be in the app's catalogue
// (102002), and the before-send-gift callback, when configured, decides whether it goes: a
// blocked gift is refused with the app's code when in the pass-through range, 102004 otherwise,
// and is not counted in the room's statistics.
func (s *Server) sendGift(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId           *string  `json:"RoomId"`
		GiftId           *string  `json:"GiftId"`
		Count            *int     `json:"Count"`
		FromAccount      *string  `json:"From_Account"`
		ReceiverAccounts []string `json:"ReceiverList_Account"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	count := 1
	setp(&count, req.Count)
	switch {
	case req.FromAccount == nil || room.ValidateUser("From_Account", *req.FromAccount) != nil:
		return nil, fail(CodeBadParameter, "From_Account is missing or not a user ID: the gift's sender, 1 to %d bytes", webhook.MaxUserIDBytes)
	case len(req.ReceiverAccounts) == 0:
		return nil, fail(CodeBadParameter, "ReceiverList_Account is missing or empty: the gift's recipients")
	case count < 1:
		return nil, fail(CodeBadParameter, "Count is %d, want 1 or more", count)
	}
	for i, r := range req.ReceiverAccounts {
		if err := room.ValidateUser(fmt.Sprintf("ReceiverList_Account[%d]", i), r); err != nil {
			return nil, fail(CodeBadParameter, "%v", err)
		}
	}
	a := c.app
	a.mu.Lock()
	r, aerr := s.lookup(a, req.RoomId)
	var g *gift
	if aerr == nil {
		g, aerr = a.findGift(req.GiftId)
	}
	a.mu.Unlock()
	if aerr != nil {
		return nil, aerr
	}
	msg := webhook.Message{Event: &webhook.BeforeSendGift{OperatorAccount: c.identifier, RoomId: r.Info.RoomId,
		GiftWater: webhook.GiftWater{FromAccount: *req.FromAccount, ToAccount: slices.Clone(req.ReceiverAccounts),
			Time: s.cfg.Now().Unix(), GiftId: g.id, Count: count, Coins: g.coins}}, Meta: c.meta()}
	if v := s.askBefore(c.ctx, a, msg); !v.Allowed {
		code := CodeGiftBlocked
		if v.Code != 0 {
			code = v.Code
		}
		return nil, fail(code, "the gift was blocked by the before-send-gift callback: %s", v.Reason)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rooms[r.Info.RoomId] != r {
		return nil, fail(CodeNoRoom, "room %q was destroyed while the gift waited for the callback", r.Info.RoomId)
	}
	r.Gift(*req.FromAccount, count, int(g.coins))
	return nil, nil
}
