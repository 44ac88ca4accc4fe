"""News: an index with RSS and Atom feeds, and news items."""

import datetime

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from portal.site.blocks import BodyBlock
from portal.site.pages.base import BasePage

NEWS_PER_PAGE = 10


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("portal.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsFeed(Feed):
    """RSS 2.0 feed of an index's latest news items."""

    def __init__(self, index_page, request):
        super().__init__()
        self.index_page = index_page
        self.request = request

    def title(self):
        return self.index_page.seo_title or self.index_page.title

    def link(self):
        return self.index_page.get_url(self.request)

    def description(self):
        return self.index_page.search_description or self.index_page.title

    def items(self):
        from portal.site.selectors import news_for_index  # a cycle: the site's selectors import the page models

        return news_for_index(parent=self.index_page)[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return datetime.datetime.combine(item.date, datetime.time.min, tzinfo=datetime.UTC)

    def item_author_name(self, item):
        return item.author or None


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


class NewsIndexPage(RoutablePageMixin, BasePage):
    intro = RichTextField(blank=True)

    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["portal.NewsPage"]
    api_fields = [APIField("intro")]
    template = "portal/news_index_page.html"

    @path("")
    def index_route(self, request):
        from portal.site.selectors import news_for_index  # a cycle: the site's selectors import the page models

        items = news_for_index(parent=self)
        tag = request.GET.get("tag", "").strip()
        if tag:
            items = items.filter(tags__slug=tag)
        paginator = Paginator(items, NEWS_PER_PAGE)
        news_page = paginator.get_page(request.GET.get("page"))
        return self.render(request, context_overrides={"news_page": news_page, "tag": tag})

    @path("feed/rss/", name="rss")
    def rss(self, request):
        return NewsFeed(self, request)(request)

    @path("feed/atom/", name="atom")
    def atom(self, request):
        return NewsAtomFeed(self, request)(request)


class NewsPage(BasePage):
    date = models.DateField("Published on", default=timezone.localdate)
    author = models.CharField(max_length=120, blank=True)
    intro = models.TextField(help_text="A summary for listings and feeds.")
    body = StreamField(BodyBlock(), blank=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True)

    content_panels = BasePage.content_panels + [
        MultiFieldPanel([FieldPanel("date"), FieldPanel("author"), FieldPanel("tags")], heading="About this item"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    api_fields = [APIField("date"), APIField("author"), APIField("intro"), APIField("body"), APIField("tags")]
    parent_page_types = ["portal.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "portal/news_page.html"
    og_type = "article"

    def json_ld(self, request) -> dict | None:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title,
            "datePublished": self.date.isoformat(),
            "description": self.intro,
            "url": request.build_absolute_uri(self.get_url(request)),
        }
        if self.author:
            data["author"] = {"@type": "Person", "name": self.author}
        return data
