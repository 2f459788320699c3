"""Twitch's IRC lines: parsing (IRCv3 tags and their escapes) and what each line means."""

from __future__ import annotations

import pytest

from backstage_tui.events import Comment, Gift, PlatformModeration
from backstage_tui.sources.irc import parse_line, twitch_events, unescape_tag


def test_a_tagged_privmsg_parses_into_tags_prefix_command_and_params() -> None:
    line = parse_line(
        "@badges=moderator/1,subscriber/12;display-name=Mo\\sthe\\sMod;id=abc;user-id=7 "
        ":mo!mo@mo.tmi.twitch.tv PRIVMSG #chan :hello there : friend"
    )
    assert line.command == "PRIVMSG" and line.nick == "mo"
    assert line.params == ("#chan", "hello there : friend")
    assert line.tags["display-name"] == "Mo the Mod" and line.tags["id"] == "abc"


def test_tag_escapes_are_undone() -> None:
    assert unescape_tag(r"a\sb\:c\\d\re\nf\x") == "a b;c\\d\re\nfx"
    assert unescape_tag("plain") == "plain"


def test_a_line_without_a_command_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_line("@a=b :prefix.only")


def test_roles_come_from_badges_and_flags() -> None:
    host = twitch_events(parse_line("@badges=broadcaster/1;id=1;user-id=1 :h!h@h PRIVMSG #c :hi"))
    assert host[0].user.roles == ("host",)
    mod = twitch_events(
        parse_line("@badges=;mod=1;subscriber=1;id=2;user-id=2 :m!m@m PRIVMSG #c :x")
    )
    assert mod[0].user.roles == ("moderator", "subscriber")
    founder = twitch_events(parse_line("@badges=founder/0;id=3 :f!f@f PRIVMSG #c :y"))
    assert founder[0].user.roles == ("subscriber",) and founder[0].user.id == "f"


def test_bits_are_a_gift_beside_the_comment() -> None:
    comment, gift = twitch_events(
        parse_line("@bits=100;id=m9;user-id=4;display-name=Cy :cy!cy@cy PRIVMSG #c :Cheer100 gg")
    )
    assert isinstance(comment, Comment) and comment.text == "Cheer100 gg" and comment.id == "m9"
    assert isinstance(gift, Gift) and (gift.gift_name, gift.repeat_count) == ("Bits", 100)
    assert gift.id == "m9:bits" and gift.platform == "twitch"


def test_a_me_action_reads_as_slash_me() -> None:
    (comment,) = twitch_events(parse_line(":a!a@a PRIVMSG #c :\x01ACTION waves\x01"))
    assert comment.text == "/me waves"


def test_clearchat_is_a_timeout_a_ban_or_the_whole_chat() -> None:
    (timeout,) = twitch_events(
        parse_line("@ban-duration=600;target-user-id=99 :tmi.twitch.tv CLEARCHAT #c :spammer")
    )
    assert isinstance(timeout, PlatformModeration)
    assert (timeout.action, timeout.duration_s, timeout.user.id) == ("timeout", 600, "99")
    (ban,) = twitch_events(parse_line("@target-user-id=98 :tmi.twitch.tv CLEARCHAT #c :troll"))
    assert ban.action == "ban" and ban.user.handle == "troll"
    (clear,) = twitch_events(parse_line(":tmi.twitch.tv CLEARCHAT #c"))
    assert clear.action == "clear" and clear.user is None


def test_clearmsg_is_one_message_deleted() -> None:
    (deleted,) = twitch_events(
        parse_line("@login=ronni;target-msg-id=abc-123 :tmi.twitch.tv CLEARMSG #c :bad words")
    )
    assert (deleted.action, deleted.target, deleted.text) == ("delete", "abc-123", "bad words")
    assert deleted.user.handle == "ronni"


def test_subscriptions_are_gifts_and_other_notices_pass() -> None:
    (sub,) = twitch_events(parse_line("@msg-id=resub;id=u1;login=s :tmi.twitch.tv USERNOTICE #c"))
    assert isinstance(sub, Gift) and sub.gift_name == "Subscription"
    assert twitch_events(parse_line("@msg-id=raid;login=r :tmi.twitch.tv USERNOTICE #c")) == []
    assert twitch_events(parse_line(":tmi.twitch.tv 001 justinfan12345 :Welcome, GLHF!")) == []
