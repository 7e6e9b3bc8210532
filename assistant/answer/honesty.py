"""Honesty checks on a composed answer: what was asked but not found, and what has aged.

A passage can be about the topic of a question without answering it: a law on access to
information "addresses" a question about the fee per page without stating the amount. The
checks here read the *question* for the kind of item it asks for — by the conventions of
Vietnamese questions, never by the wording of one document or question set — and the
*quotes* the answer would show for an item of that kind:

* a count or amount ("bao nhiêu X", "mấy X"): a number next to X;
* money ("kinh phí", "bao nhiêu tiền/đồng"): a number with a currency word;
* a date or year ("khi nào", "ngày nào", "năm nào", "từ năm nào"): a date or a year;
* a phone number, e-mail or address ("số điện thoại", "đường dây nóng", "địa chỉ"):
  something shaped like one;
* a person ("ai là …", "họ tên", "người nào"): a capitalised personal name;
* a rank ("thứ mấy"): "thứ 22", "22/63"; the signer ("ai ký"): a signature;
* what a quote expressly denies ("có trọng số" against "…, không trọng số") and a table
  cell the question asks about that the quoted row leaves blank are gaps too.

What only looks like the item does not count: a figure the question states itself
("phí bản sao là 20.000 đồng; bản dịch thêm bao nhiêu?"), the date after a cited
document's number ("Kế hoạch số 3212/KH-UBND ngày 25/5/2023", unless the question asks
when a document was issued), and a number before a syllable of the counted noun only
("khóa hai thành lập" for "bao nhiêu thành viên").

When the quotes lack the item, the answer says so first ("Các văn bản đã nạp không nêu
…") and is marked ``partial`` with the item in ``missing``.

Time: deadlines in the quotes that lie before today, plans for a past year, and the
provinces rearranged in 2025 are flagged with today's date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from vntext.lexicon import COUNTS_ITEMS, LIST_ITEM, MACHINE_MAY
from vntext.normalize import fold
from vntext.tokens import clause_ends, folded_tokens, raw_tokens


@dataclass(frozen=True)
class AskedItem:
    """One specific thing a question asks for, and how to recognise it in a quote."""

    kind: str
    description: str
    pattern: re.Pattern[str]
    """Matched against the folded quote text (for an ``annex``, the formula that refers to
    it as attached, which marks it missing)."""
    value: str = ""
    """What the question itself says of the item, when it says it (the year of a year)."""
    ignore: re.Pattern[str] | None = None
    """Text of a quote that looks like the item but is not it (masked before matching)."""


# "khi nào" is also answered by a weekday, a recurrence or a time limit, and by a day
# fixed by an event, as laws set it: "trong ngày (văn bản được ký)", "ngày làm việc tiếp
# theo", "chậm nhất …", "ngay khi …". A day asked ("ngày nào") is answered by these too.
_WHEN_OTHERWISE = (
    r"\bthu (?:hai|ba|tu|nam|sau|bay)\b|\bchu nhat\b|\bhang (?:ngay|tuan|thang|quy|nam)\b|"
    r"\bdinh ky\b|\btrong (?:thoi han|vong) \d+|\bke tu (?:ngay|khi)\b|"
    r"\btrong (?:ngay|cung ngay|ngay lam viec)\b|\bngay lam viec tiep theo\b|\bcham nhat\b|"
    r"\bngay sau khi\b|\bngay khi\b"
)
_NUM = r"(?:\d[\d.,]*|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|tram|nghin|ngan|trieu|ty)"
# The number spelled out after its digits, "20 (hai mươi) ngày", "05 (năm)": number words
# only, so "Quảng Nam (gọi tắt là Ban Quản lý) ban hành" counts no "bản".
_SPELLED = rf"\((?:\s*(?:{_NUM}|lam|tu|linh|le)\s*)+\)"
_MONEY = re.compile(
    rf"{_NUM}\s*(?:nghin |trieu |ty )?(?:dong|vnd|d\b)|\d[\d.,]*\s*(?:%|phan tram)|"
    # No charge is an amount too: "miễn phí", "miễn lệ phí", "không thu phí".
    r"\bmien (?:phi|le phi|thu)\b|\bkhong (?:thu |mat |phai nop )?(?:phi|le phi)\b"
)
_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bngay \d{1,2} thang \d{1,2}\b|\bnam (?:19|20)\d{2}\b|"
    r"(?<!\d:)\b(?:19|20)\d{2}\b|\bthang \d{1,2}/\d{4}\b|\bquy [ivx1-4]+\b|\b\d{1,2} ?(?:gio|h)\b|"
    rf"{_WHEN_OTHERWISE}"
)
_PHONE = re.compile(
    r"\b0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}\b|\b1900[ .]?\d{4}\b|\b\d{3,4}\.\d{3}\.\d{3}\b"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
# "số 12" of a house, not "số 3212/KH-UBND" of a document.
_ADDRESS = re.compile(
    r"\bso \d+[a-z]?\b(?!/)|\b(?:duong|pho|phuong|xa|thon|quan|huyen|toa nha)\b.{0,40}\d"
)
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:gov\.vn|vn|com|org)\b")
_ACCOUNT = re.compile(r"\b\d{6,}\b")
_PERSON = re.compile(r"\b(?i:ong|ba|dong chi|d/c)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}")

_MONEY_Q = re.compile(
    # "mục Thủ tục hành chính", "mục Chỉ số …" fold like "mức thu", "mức chi".
    r"\b(?:kinh phi|ngan sach|du toan|bao nhieu tien|bao nhieu dong|muc phi|so tien|"
    r"muc chi(?! (?:so|dao|thi)\b)|tri gia|muc phat|phat tien|muc thu(?! tuc\b)|muc luong)\b|"
    # A fee named before "bao nhiêu năm/ngày …" is context ("lệ phí 500.000 đồng; hành
    # nghề bao nhiêu năm?"): a number of a unit of time is asked.
    # A price is "đơn giá", "mức giá", "giá bán": "đánh giá", "tham gia" fold to "gia" too.
    r"\b(?:phi|le phi|chi phi|don gia|muc gia|gia ban|gia thue)\b.*\bbao nhieu\b"
    r"(?! (?:ngay|thang|nam|gio|tuan|phut|lan)\b)|"
    # An allowance or a fee for a service is paid in money ("thù lao hoặc phụ cấp hằng
    # tháng bao nhiêu?"), unless a coefficient is asked ("phụ cấp hệ số bao nhiêu?").
    r"\b(?:phu cap|thu lao)\b(?:(?!\bhe so\b).)*\bbao nhieu\b"
    r"(?! (?:ngay|thang|nam|gio|tuan|phut|lan|nguoi)\b)|"
    # Paying asks an amount: "phải trả thêm bao nhiêu?", "nộp bao nhiêu?".
    r"\b(?:tra|nop|dong)(?: them)? bao nhieu\b(?! (?:ngay|lan|thang|nam|ban|bo|to)\b)"
)
_COUNT_Q = re.compile(r"\b(?:bao nhieu|so luong|so luot)\s+([a-z]+(?:\s+[a-z]+)?)|\bmay\s+([a-z]+)")
# Two numbered or lettered items opening lines ("1. …" … "2. …", "a) …" … "b) …").
_TWO_ITEMS = rf"^\s*{LIST_ITEM}\s[^\n]*\n(?:[^\n]*\n)*?\s*{LIST_ITEM}\s"
_NOT_COUNTED = frozenset(["la", "thi", "va", "nam", "o", "tai", "ve", "de", "cho", "duoc", "lan"])
_YEAR_AFTER = re.compile(r"\s+(?:19|20)\d{2}\b")
_TIME_UNITS = frozenset(["ngay", "thang", "nam", "gio", "tuan", "phut", "quy"])
# A day of the calendar, folded: "ngày 15 tháng 12 năm 2023", "tháng 6 năm 2010", "31/01".
_DATES = re.compile(
    r"\bngay \d{1,2} thang \d{1,2}(?: nam \d{4})?|\bthang \d{1,2}(?: nam \d{4})?|"
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
)
# Words that follow a counted noun without being part of it: "bao nhiêu ngày phải …",
# "bao nhiêu hộ trở lên", "bao nhiêu người có …".
_AFTER_COUNTED_WORDS = (
    "phai can tro co se da bi moi ma khong nua roi trong tu den len gom lam hay con"
)
_AFTER_COUNTED = frozenset(_AFTER_COUNTED_WORDS.split())
# "lề trái bao nhiêu?", "diện tích là bao nhiêu?": the measured thing before "bao nhiêu",
# which ends the clause.
# "phần mềm đạt cấp độ bảo mật mấy?" asks the same way: "mấy" ends the clause ("thứ
# mấy", "hạng mấy" ask a rank).
_NUMBER_AFTER_Q = re.compile(
    r"\b([a-z]+ [a-z]+) (?:la |toi thieu |toi da )?(?:bao nhieu|(?<!thu )(?<!hang )may)\b"
    r"(?! [a-z])"
)
# A figure, not a document's number ("30/2020"), a date or the number of a division
# ("Điều 9", "khoản 2").
_FIGURE = re.compile(
    r"(?<![/\d])(?<!dieu )(?<!khoan )(?<!diem )(?<!chuong )(?<!muc )(?<!phu luc )"
    r"\d[\d.,]*(?![\d/])"
)
# "Phụ lục II gồm những ngành nào?", "mẫu số 05 gồm những nội dung gì?"
_ANNEX_Q = re.compile(
    r"\b(phu luc [ivxlc\d]+|mau so \d+)\b[\w /.-]{0,40}?\b(?:gom|co|quy dinh|liet ke)\b"
    r"[a-z ]{0,30}\b(?:nao|gi|nhung)\b"
)
_YEAR_Q = re.compile(r"\b(?:nam|quy [ivx1-4]+ nam|thang \d{1,2} nam)\s+((?:19|20)\d{2})\b")
# A year on its own ("báo cáo PAPI 2022"), not part of a number or a date ("130/2020"),
# nor a standard's edition ("ISO 9001:2015").
_BARE_YEAR_Q = re.compile(r"(?<![\w/.:-])((?:19|20)\d{2})(?![\w/.-])")
_DOCUMENT_TYPE = re.compile(
    r"\b(?:luat|nghi dinh|thong tu|quyet dinh|ke hoach|chi thi|nghi quyet|phap lenh)\b"
)
# A rank asked ("đứng thứ mấy", "xếp hạng bao nhiêu"), answered by "thứ 22", "22/63".
_RANK_Q = re.compile(
    r"\b(?:thu may|hang may|hang thu may|thu bao nhieu|hang bao nhieu|vi thu may|xep thu may)\b"
)
_RANK = re.compile(r"\b\d{1,3}/\d{2,3}\b|\b(?:thu|hang|vi thu)\s+\d{1,3}\b")
_DONE_Q = re.compile(
    r"\bda\b.+\bchua\b\s*$|\bco\b.+\bchua\b\s*$|\bda (?:thuc hien|gui|ban hanh)\b.*\bchua\b"
)
# Words that ask for a date as such ("ngày nào"), and with "khi nào", "bao giờ", "lúc
# nào" every way a question asks when.
_DATE_WORDS = r"ngay nao|thang nao|nam nao|tu nam nao|tu ngay nao|thoi diem nao|vao nam|vao ngay"
_DATE_Q = re.compile(rf"\b(?:khi nao|bao gio|luc nao|{_DATE_WORDS})\b")
_WHEN_ALLOWED = re.compile(
    r"\b(?:duoc|bi|phai)\b[a-z ]{0,60}\bkhi nao\b|\bkhi nao\b[a-z ]{0,60}\b(?:duoc|bi|phai)\b|"
    # "khi nào thì … chấm dứt?": in which case, as "trường hợp nào thì …".
    r"\bkhi nao thi\b"
)
_DATE_ONLY_Q = re.compile(rf"\b(?:{_DATE_WORDS})\b")
# "Kế hoạch số 3212/KH-UBND ngày 25/5/2023", "Nghị định số 63/2010/NĐ-CP ngày 08 tháng 6
# năm 2010": the date after a document's number is the day it was issued, by the way
# Vietnamese texts cite documents. It dates that document, not what the question asks
# (when something takes effect, is due, was held), unless the question asks when a
# document was issued or signed.
_CITATION_DATE = re.compile(
    r"\b\d{1,5}/[\w/.-]*[a-z][\w/.-]*,?\s+ngay\s+"
    r"(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4})"
)
_ISSUED_Q = re.compile(r"\b(?:ban hanh|ky|thong qua|ngay ky|so hieu)\b")
# What a loaded text citing an instrument tells of it: when and by whom it was issued,
# whether it is still in force, amended, repealed or replaced.
_OF_CITATION_Q = re.compile(
    rf"{_ISSUED_Q.pattern}|\b(?:ngay nao|nam nao|cua ai|co quan nao ban|hieu luc|con ap dung|"
    r"bai bo|sua doi|thay the)\b"
)
_DATE_OR_CONDITION = re.compile(
    rf"{_DATE.pattern}|\btrong (?:cac |nhung )?truong hop\b|\bkhi\b|\bneu\b"
)
# A number asked, not the telephone as a channel ("phản ánh qua điện thoại").
_PHONE_Q = re.compile(
    # "mẫu số mấy" asks the number of a form, not a telephone extension ("số máy").
    r"\b(?:so dien thoai|duong day nong|hotline|(?<!mau )so may|so fax|tong dai|"
    r"(?:dien thoai|fax) (?:nao|la gi|la bao nhieu|bao nhieu|lien he|cua))\b"
)
# "bao lâu?", "trong bao lâu", "mất bao lâu": a length of time is asked. Laws give one as
# a number of days, months, years… ("30 ngày", "03 (ba) tháng", "12 tháng đến 24
# tháng"), or as a bound fixed by an event or none ("ngay khi …", "vĩnh viễn").
_DURATION_Q = re.compile(r"\bbao lau\b")
_DURATION = re.compile(
    rf"{_NUM}\s+(?:{_SPELLED}\s+)?(?:{'|'.join(sorted(_TIME_UNITS))}|ky)\b|\bvinh vien\b|"
    r"\bngay (?:khi|sau khi|lap tuc)\b|\btrong (?:ngay|cung ngay)\b|\bcho den khi\b|"
    r"\bkhong (?:co )?thoi han\b"
)
# "phòng nào", "bộ nào", "cục nào": the answer names one, by its name as written,
# capitalised ("Phòng Quản lý doanh nghiệp", "Văn phòng Ban", "Bộ Tư pháp"). ("sở nào"
# folds like "số nào", a number asked.)
_UNIT_KIND_Q = re.compile(r"\b(phong|bo|cuc) nao\b")
_UNIT_NAMED = {
    "phong": ("phòng", re.compile(r"\b(?:Phong|[Vv]an phong) [A-Z]")),
    "bo": ("bộ", re.compile(r"\bBo [A-Z]")),
    "cuc": ("cục", re.compile(r"\bCuc [A-Z]")),
}
# An address is asked for, not the mailbox as a tool ("sử dụng hộp thư công vụ").
_EMAIL_Q = re.compile(
    r"\b(?:dia chi (?:email|thu dien tu|hop thu)|email (?:nao|la gi|gi)|hop thu nao)\b"
)
_WEB_Q = re.compile(r"\b(?:trang web|website|dia chi trang|ten mien|duong dan)\b")
# A question ending in two options: "…, gửi thư hay gọi điện?", "cấp tỉnh hay cấp huyện?".
# An option of one or two words, or a measure that opens with its figure and may run to
# four words ("… hằng tuần hay 2 tuần một lần").
_CHOICE_Q = re.compile(
    r"\b([a-z\d]+(?: [a-z]+)?) hay (\d+(?: [a-z]+){1,3}|[a-z]+(?: [a-z]+)?)(?:\s*\|)?\s*$"
)
_NOT_A_CHOICE = re.compile(r"(?:khong|chua|sai|dung|nguoc lai|khac)\b")
_ACCOUNT_Q = re.compile(r"\bso tai khoan\b")
# "… có số hiệu là gì?", "số, ký hiệu của quyết định": a document's number is written
# "3212/KH-UBND", "63/2010/NĐ-CP" — digits, a slash, then the type and issuer codes.
_DOC_NUMBER_Q = re.compile(
    r"\bso(?:,)? (?:ky )?hieu(?: \w+){0,8} "
    r"(?:la gi|la bao nhieu|bao nhieu|la so nao|(?<!the )nao|gi)\b"
)
DOC_NUMBER = re.compile(r"\b\d{1,5}\s?/\s?(?:\d{4}\s?/\s?)?[a-z0-9]+(?:-[a-z0-9]+)+\b")
"""A document's number in folded text ("3212/kh-ubnd", "63/2010/nd-cp")."""
_ADDRESS_Q = re.compile(r"\b(?:o dau|dat o dau|tai dau|o cho nao)\b")
_PERSON_Q = re.compile(r"\b(?:ai la|la ai|ten la gi|nguoi nao dang|ong nao|ba nao)\b")
# "địa chỉ" and "họ tên" are asked for when a question word follows them ("địa chỉ … ở
# đâu / là gì", "họ tên … là gì") or the question is just the item ("Địa chỉ trụ sở …?"):
# a statement to check ("người tố cáo phải cung cấp họ, tên, địa chỉ …, đúng hay sai?")
# or a list of contents names them as a topic.
_ADDRESS_WORD = re.compile(r"\b(?:dia chi|so nha|duong pho nao|duong nao)\b")
_NAME_WORD = re.compile(r"\bho (?:va )?ten\b")
_QUESTION_WORD = re.compile(r"\b(?:la gi|gi|nao|la ai|o dau|tai dau)\b")
_WHO_BEFORE = re.compile(r"\b(?:ai|co quan nao|don vi nao|bo phan nao|cap nao)\b")
# "… tại Văn thư cơ quan", "nộp tại Sở Tư pháp": a place named by its body, capitalised
# after the preposition (read on the ASCII text that keeps its capitals).
_PLACE_NAMED = re.compile(r"\b(?:tai|o|den|gui|nop|ve)\s+(?:cho\s+|cac\s+)?[A-Z][a-z]")
_ADDRESS_OR_PLACE = re.compile(
    rf"{_ADDRESS.pattern}|\b(?:tai|o|tren|den|gui)\s+(?:cac\s+)?(?:tru so|dia diem|noi|bo phan|"
    r"co quan|uy ban|van phong|cong thong tin|trang thong tin|bang tin|phuong tien)\b"
)
_BUDGET_WORDS = frozenset(["kinh phi", "ngan sach", "du toan"])
_OTHER_ASKED = re.compile(r"\b(?:nao|gi|ai|o dau|dau|khi nao|the nao)\b")
# Where money comes from ("kinh phí … lấy từ nguồn nào?", "do đâu chi trả?").
_SOURCE_Q = re.compile(r"\b(?:nguon nao|tu nguon|nguon kinh phi nao|tu dau|lay o dau|do dau)\b")
# The day asked ("vào ngày nào", "ngày nào"), answered by a day, a weekday, a recurrence
# or a time limit, not by a year or a quarter alone.
_DAY_Q = re.compile(r"\b(?:ngay nao|tu ngay nao|vao ngay)\b")
_DAY = re.compile(rf"\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|\bngay \d{{1,2}}\b|{_WHEN_OTHERWISE}")
# The day a thing is due: "trước ngày nào?", "chậm nhất ngày nào?", "hạn chót …?".
_DEADLINE_Q = re.compile(
    r"\b(?:truoc ngay(?: thang)? nao|cham nhat (?:la )?(?:vao )?ngay nao|han chot|han cuoi)\b"
)
_DEADLINE = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngay \d{1,2}\b|\btrong (?:thoi han|vong) \d+|"
    r"\bcham nhat\b|\bke tu (?:ngay|khi)\b|\bngay lam viec\b"
)
# Who signed: "ai ký", "người ký", "do … ký (không)?". Folded, "ký" is also "kỳ", so the
# signer is asked only where "ký" follows "ai", "người" or a "do …" agent.
# "đăng ký" (to register) folds to "dang ky" and is no signature.
_SIGNER_Q = re.compile(
    r"\b(?:ai ky|nguoi ky|ky boi ai)\b|\bdo\b[a-z ]{1,60}(?<!dang )\bky\b(?= khong| ban hanh|\s*$)"
)
_SIGNED = re.compile(r"\b(?:da ky|nguoi ky|ky ban hanh|ky ten|ky thay|kt|tm)\b")
_CHECK_Q = re.compile(r"\b(?:dung hay sai|dung hay khong|co dung khong|dung khong)\b")


def asked_items(question: str) -> list[AskedItem]:
    """The specific items *question* asks for (empty for open questions: "phải làm gì?")."""
    q = " ".join(folded_tokens(question))
    items: list[AskedItem] = []
    money = _MONEY_Q.search(q)
    source = bool(_SOURCE_Q.search(q))
    # "Ai phê duyệt mức chi hội nghị?", "dự toán do cơ quan nào duyệt?" ask who.
    who = money is not None and _WHO_BEFORE.search(q) and "bao nhieu" not in q
    # "Ngân sách xã thuộc chỉ số nào?", "… do ai bảo đảm?": a budget word is the topic of
    # a question that asks something else.
    # "Số tiền thu được phải nộp vào ngân sách trong bao lâu?" asks how long: the money
    # words are its topic unless it also asks "bao nhiêu".
    other = (
        money is not None
        and "bao nhieu" not in q
        and (
            (money.group(0) in _BUDGET_WORDS and _OTHER_ASKED.search(q, money.end()))
            or _DURATION_Q.search(q)
        )
    )
    clauses = _counting_text(question, q)  # the folded question with its clause ends
    stated = _stated_figures(q, clauses)
    # "Ngân sách … có được chi cho … không?" asks whether, not how much.
    whether = _YES_NO_Q.search(q) and not _ASKS_FIGURE.search(clauses)
    if money and not source and not who and not other and not whether:
        # "Ai hướng dẫn việc sử dụng kinh phí …?" asks who, not how much; "kinh phí lấy từ
        # nguồn nào?" asks where the money comes from.
        items.append(AskedItem("money", "số tiền, mức kinh phí cụ thể", _MONEY, ignore=stated))
    elif m := _COUNT_Q.search(clauses):
        head, *rest = (m.group(1) or m.group(2)).split()
        # "giảm bao nhiêu so với năm 2022?" asks a difference, not a count of "số".
        comparing = head == "so" and rest[:1] == ["voi"]
        # "bao nhiêu năm", "mấy năm" ask a number of years; "bao nhiêu năm 2021" asks how
        # much in that year.
        years = head == "nam" and not _YEAR_AFTER.match(clauses, m.end())
        if (head not in _NOT_COUNTED or years) and not comparing:
            # "bao nhiêu thủ tục": a number must stand right before the counted word.
            # Legal texts spell the number out after it: "20 (hai mươi) ngày".
            number = rf"{_NUM}\s+(?:{_SPELLED}\s+)?(?:\w+\s+)?{re.escape(head)}\b"
            said = m.group(0)
            if head in _TIME_UNITS:
                # "bao nhiêu năm kể từ …": a unit of time is one syllable.
                said = said.rsplit(" ", len(rest))[0]
            elif rest and rest[0] not in _NOT_COUNTED | _AFTER_COUNTED:
                # "bao nhiêu thành viên": the counted word is both syllables, or the
                # first one where a clause ends; "khóa hai thành lập" counts nothing.
                number += rf"(?:\s+{re.escape(rest[0])}\b|(?!\s+[a-z]))"
            what = f"con số cụ thể ({_own_words(question, said)})"
            if COUNTS_ITEMS.search(q):
                # "bao gồm mấy nguyên tắc?": the enumerated list answers it, anywhere in
                # the quoted passage (so not checked sentence by sentence).
                pattern = re.compile(rf"{number}|{_TWO_ITEMS}", re.MULTILINE)
                items.append(AskedItem("items", what, pattern))
            else:
                # A date is no length of time: "ngày 20 tháng 3" counts no 20 months.
                ignore = _either(stated, _DATES) if head in _TIME_UNITS else stated
                items.append(AskedItem("count", what, re.compile(number), ignore=ignore))
    counted = any(i.kind in ("count", "items", "money") for i in items)
    if not counted and (m := _NUMBER_AFTER_Q.search(clauses)):
        # "… chừa lề trái bao nhiêu?": a figure soon after the thing measured, or, in a
        # sentence on the topic that does not name it, any figure (not a document's
        # number): "khoảng 2.819.900 người" for "dân số".
        noun = re.escape(m.group(1))
        figure = rf"\b{noun}\b\D{{0,30}}\d|^(?!.*\b{noun}\b).*{_FIGURE.pattern}"
        what = f"con số cụ thể ({_own_words(question, m.group(1))})"
        items.append(AskedItem("count", what, re.compile(figure), ignore=stated))
    if m := _ANNEX_Q.search(q):
        # "Phụ lục II gồm những gì?" is not answered by "… Phụ lục II ban hành kèm theo
        # Nghị định này": the annex is attached to the text, not quoted in it.
        annex = re.escape(m.group(1))
        items.append(
            AskedItem(
                "annex",
                f"nội dung của {_own_words(question, m.group(1))} (văn bản chỉ dẫn chiếu)",
                re.compile(rf"\b{annex}\s+(?:\([^)]*\)\s+)?(?:duoc\s+)?(?:ban hanh\s+)?kem theo\b"),
            )
        )
    folded = fold(question).lower()
    # "Luật Phòng, chống tham nhũng 2018": a year after a document's type names the
    # document; after anything else ("báo cáo PAPI 2022") it is a condition.
    bare = [
        m.group(1)
        for m in _BARE_YEAR_Q.finditer(folded)
        if not _DOCUMENT_TYPE.search(" ".join(folded[: m.start()].split()[-8:]))
    ]
    for year in dict.fromkeys([*_YEAR_Q.findall(q), *bare]):
        # A year named in the question is a condition: the passage must be about that year
        # (the year of a date, "ngày 2/4/2024", dates something else).
        pattern = re.compile(rf"(?<!/)\b{year}\b")
        items.append(AskedItem("year", f"thông tin của năm {year}", pattern, year))
    if _RANK_Q.search(q):
        items.append(AskedItem("rank", "thứ hạng cụ thể", _RANK))
    if _DONE_Q.search(q):
        # "đã … chưa?": documents state duties, not whether they were carried out.
        items.append(
            AskedItem(
                "done",
                "việc đã được thực hiện hay chưa (văn bản chỉ nêu yêu cầu, không ghi nhận kết quả)",
                re.compile(r"\bda hoan thanh\b|\bda thuc hien xong\b|\bket qua thuc hien:"),
            )
        )
    if _DATE_Q.search(q):
        # "X được … khi nào?" in a legal question asks when X is allowed: a condition
        # ("trong trường hợp …", "khi …", "nếu …") answers it as well as a date. "Vào
        # ngày nào?" asks the day: a year alone ("năm 2023") does not answer it.
        when = _WHEN_ALLOWED.search(q) and not _DATE_ONLY_Q.search(q)
        pattern = _DATE_OR_CONDITION if when else _DAY if _DAY_Q.search(q) else _DATE
        if _DEADLINE_Q.search(q):
            pattern = _DEADLINE  # "trước ngày nào?": a recurrence ("định kỳ") is no day
        ignore = None if _ISSUED_Q.search(q) else _CITATION_DATE
        items.append(
            AskedItem("date", "thời điểm (ngày, tháng, năm) cụ thể", pattern, ignore=ignore)
        )
    if _PHONE_Q.search(q):
        items.append(AskedItem("phone", "số fax" if "fax" in q else "số điện thoại", _PHONE))
    if _DURATION_Q.search(q) and not counted:
        items.append(
            AskedItem(
                "duration",
                "khoảng thời gian cụ thể",
                _DURATION,
                ignore=_either(stated, _DATES),
            )
        )
    if m := _UNIT_KIND_Q.search(q):
        unit, named = _UNIT_NAMED[m.group(1)]
        items.append(AskedItem("unit", f"tên {unit} cụ thể", named))
    if _EMAIL_Q.search(q):
        items.append(AskedItem("email", "địa chỉ thư điện tử", _EMAIL))
    if _WEB_Q.search(q):
        items.append(AskedItem("url", "địa chỉ trang thông tin điện tử", _URL))
    elif _asks_for(_ADDRESS_WORD, q, question):
        items.append(AskedItem("address", "địa chỉ, địa điểm cụ thể", _ADDRESS))
    elif _ADDRESS_Q.search(q) and not source:
        # "… phải niêm yết ở đâu?" is answered by the place a law names ("tại trụ sở").
        items.append(AskedItem("place", "địa chỉ, địa điểm cụ thể", _ADDRESS_OR_PLACE))
    if (m := _CHOICE_Q.search(clauses)) and not _NOT_A_CHOICE.match(m.group(2)):
        # "… nộp bằng cách nào, gửi thư hay gọi điện?": one of the options must be named.
        first, second = (re.escape(o) for o in m.groups())
        items.append(
            AskedItem(
                "choice",
                f"{_own_words(question, m.group(1))} hay {_own_words(question, m.group(2))}",
                re.compile(rf"\b(?:{first}|{second})\b"),
            )
        )
    if _ACCOUNT_Q.search(q):
        items.append(AskedItem("account", "số tài khoản", _ACCOUNT))
    if _DOC_NUMBER_Q.search(q):
        items.append(AskedItem("doc_number", "số, ký hiệu văn bản", DOC_NUMBER))
    if _PERSON_Q.search(q) or _asks_for(_NAME_WORD, q, question):
        items.append(AskedItem("person", "họ tên người cụ thể", _PERSON))
    elif _SIGNER_Q.search(q):
        # "Ai ký …?", "có phải do … ký không?": only a signature or a statement of who
        # signed answers it, not the document's own text.
        items.append(AskedItem("signer", "người ký văn bản", _SIGNED))
    return items


def _stated_figures(folded: str, clauses: str) -> re.Pattern[str] | None:
    """The figures a question states itself ("phí bản sao là 20.000 đồng; bản dịch thêm
    bao nhiêu?"): a quote's same figure is what the question already knows, not what it
    asks. None for a question that asks whether its figure is right ("… 20.000 đồng, đúng
    không?"). *clauses* is *folded* as :func:`_counting_text` gives it, where a machine's
    "may" is no "mấy", so a figure counts as asked after exactly when ``whether`` does
    (it holds the same figures: only clause marks and machine words differ)."""
    found = list(re.finditer(r"\d+(?:[.,]\d+)*", clauses))
    figures = sorted({m.group(0) for m in found}, key=lambda f: (-len(f), f))
    # "… chỉ thu 50% …; có được giảm thêm không, bao nhiêu phần trăm?" asks a figure after
    # the one it states: the stated one is context, not what is checked.
    asks_after = found and _ASKS_FIGURE.search(clauses, found[-1].end())
    if not figures or (_YES_NO_Q.search(folded) and not asks_after) or _CHECK_Q.search(folded):
        return None
    alternatives = "|".join(re.escape(f) for f in figures)
    return re.compile(rf"(?<![\d.,])(?:{alternatives})(?![.,]?\d)")


def _either(*patterns: re.Pattern[str] | None) -> re.Pattern[str] | None:
    """One pattern matching what any of *patterns* matches (None where none is given)."""
    given = [p.pattern for p in patterns if p is not None]
    return re.compile("|".join(f"(?:{g})" for g in given)) if given else None


def _counting_text(question: str, folded: str) -> str:
    """*folded* (the question's folded tokens) with a "|" where a clause ends ("bao
    nhiêu, xếp thứ mấy": nothing is counted across the comma) and, when the question was
    typed with diacritics, every "may" that is not "mấy" masked: folded, "xe máy" reads
    as "xe mấy". Typed without diacritics, a "may" of a word for a machine ("xe may",
    "may tinh", "may in") is masked: "mấy" never stands there."""
    raw = [t.lower() for t in raw_tokens(question)]
    tokens = folded.split()
    if len(raw) != len(tokens):
        return folded
    accented = fold(question) != question
    ends = clause_ends(question)
    # The "may" of "xe may", "bo may", "may tinh": a machine, typed without diacritics.
    machines = {
        len(folded[: m.start()].split()) + m.group(0).split().index("may")
        for m in MACHINE_MAY.finditer(folded)
    }
    out = []
    for i, (t, r) in enumerate(zip(tokens, raw, strict=True)):
        out.append("_" if (accented and t == "may" and r != "mấy") or i in machines else t)
        if i in ends:
            out.append("|")
    return " ".join(out)


def _asks_for(word: re.Pattern[str], folded: str, question: str) -> bool:
    """True when the folded question names *word* as what it asks: a question word
    follows it, or the question ends with "?" and is no statement to check."""
    found = word.search(folded)
    if found is None:
        return False
    if _QUESTION_WORD.search(folded, found.end()):
        return True
    return question.rstrip().endswith("?") and not _CHECK_Q.search(folded)


_IN_CONTEXT = frozenset(["date", "count", "money", "year", "rank"])
"""Items that count only next to what the question is about: a document is full of dates
and numbers, and "ngày 25/5/2023" in its opening line does not say when a meeting is."""
_SENTENCE = re.compile(r"[.;:\n]\s")
_TABLE_ROW = re.compile(r"\s\|\s[^\n|]*\s\|\s")
"""Two cell boundaries on one line: the text is (part of) a Markdown table row."""


def missing_items(
    items: Sequence[AskedItem],
    quotes: Iterable[str],
    topic: Iterable[str] = (),
    about: Callable[[str], bool] | None = None,
) -> list[AskedItem]:
    """The asked items none of the *quotes* contains.

    *topic* is the question's content word pairs (folded, ``a_b``) other than names; when
    given, a date, number, amount or year counts only in a sentence that shares one.
    *about* tells whether a quote is about what the question names ("Ban Quản lý"): a
    date, number, amount or year then counts only in such a quote (the year of another
    body's regulation is not the year asked). A year asked then counts in any sentence of
    such a quote, whatever its words.
    """
    raw = list(quotes)
    folded = [fold(q) for q in raw]
    cased = [_ascii_keep_case(q) for q in raw]  # a personal name needs its capitals
    wanted = frozenset(topic)
    named = [q for q in raw if about is None or about(q)]
    # A table row is one record: a figure in any cell is said of the row's subject.
    sentences = [s for q in named for s in ([q] if _TABLE_ROW.search(q) else _SENTENCE.split(q))]
    on_topic = [fold(s) for s in sentences if not wanted or _pairs(s) & wanted]
    out = []
    for item in items:
        texts = cased if item.kind in ("person", "unit") else folded
        if item.kind == "place" and any(_PLACE_NAMED.search(c) for c in cased):
            continue  # "lưu tại Văn thư cơ quan": a body named as the place
        if item.kind in ("address", "place"):
            # "quản lý", "cơ quan", "Phó Trưởng ban" fold to the words of an address.
            texts = [
                fold(_NOT_ADDRESS_WORD.sub(_mask_not_address, _CITY.sub("thành _", q))) for q in raw
            ]
        if item.kind == "year" and about is not None:
            # A year the question names is a condition on what it names: any sentence of
            # a quote about that ("Năm 2023 …, tổng điểm của Quảng Nam …") meets it.
            texts = [fold(x) for x in sentences]
        elif (wanted or about is not None) and item.kind in _IN_CONTEXT:
            texts = on_topic
        if item.kind == "annex":
            # Missing where a quote refers to the annex as attached; a quote from the annex
            # itself (a section "PHỤ LỤC 01 …") never writes that.
            if any(item.pattern.search(t) for t in texts):
                out.append(item)
            continue
        if item.ignore is not None:
            texts = [item.ignore.sub(" ", t) for t in texts]
        if not any(item.pattern.search(t) for t in texts):
            out.append(item)
    return out


# The words of an address as written ("quận", "phố", "xã"), by their folded form: a word
# written otherwise ("quản", "cơ quan", "phó", "xa") folds alike but is no address.
_ADDRESS_WORDS = {
    "quan": "quận",
    "pho": "phố",
    "xa": "xã",
    "phuong": "phường",
    "duong": "đường",
    "thon": "thôn",
    "huyen": "huyện",
}
_NOT_ADDRESS_WORD = re.compile(r"\w+")
# "thành phố Đà Nẵng" names a city, not the street ("phố") of an address.
_CITY = re.compile(r"\bthành\s+phố\b", re.IGNORECASE)


def _mask_not_address(match: re.Match[str]) -> str:
    word = match.group(0)
    spelled = _ADDRESS_WORDS.get(fold(word).lower())
    return "_" if spelled is not None and word.lower() != spelled else word


def _pairs(text: str) -> frozenset[str]:
    tokens = folded_tokens(text)
    return frozenset(f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))


def _ascii_keep_case(text: str) -> str:
    """Diacritics removed, case kept ("Ông Nguyễn Văn A" → "Ong Nguyen Van A")."""
    return "".join(fold(c).upper() if c.isupper() else fold(c) for c in text)


# A yes/no question is answered by a negative statement ("… không được rút …").
_ASKS_FIGURE = re.compile(r"\b(?:bao nhieu|may)\b")
_YES_NO_Q = re.compile(
    r"\b(?:co phai|phai khong|dung khong|duoc khong|co duoc|co bi|co can|co phai la)\b|\bkhong\s*$"
)


def denied_items(question: str, topic: Sequence[str], quotes: Iterable[str]) -> list[AskedItem]:
    """What the question asks and the quotes expressly deny: "điểm có trọng số" against
    "điểm chính thức, không trọng số", "thứ hạng chính thức" against "thứ hạng tự tính
    (không chính thức)". A word pair of the question's topic counts when a quote writes
    it as a qualifier denied (", không X" or "(không X") and the question does not; a
    yes/no question is answered by the denial, so it has none."""
    q = " ".join(folded_tokens(question))
    if _YES_NO_Q.search(q):
        return []
    # Folded with punctuation: the denial qualifies a noun, after a comma or in brackets.
    texts = [re.sub(r"\s+", " ", fold(x).lower()) for x in quotes]
    # Every word pair of the question, not just its topic: typed without diacritics,
    # "trọng số" folds to "trong so", whose "trong" (in) is a function word.
    tokens = q.split()
    pairs = [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    out = []
    for pair in dict.fromkeys([*topic, *(p for p in pairs if not any(c.isdigit() for c in p))]):
        words = pair.replace("_", " ")
        if f"khong {words}" in q:
            continue
        # Only denied, never stated, in one quote: "tiếp nhận, không tiếp nhận hồ sơ"
        # lists both; "thứ hạng (không chính thức)" denies it whatever "điểm chính thức"
        # another quote says.
        denied = any(
            re.search(rf"[(,]\s*khong {re.escape(words)}\b", text)
            and len(re.findall(rf"\b{re.escape(words)}\b", text))
            == len(re.findall(rf"\bkhong {re.escape(words)}\b", text))
            for text in texts
        )
        # "giấy tờ nội bộ, có mã số …" in one quote and "giấy tờ gửi ra ngoài, không có
        # mã số …" in another: the documents tell both cases apart, the asked one included.
        affirmed = any(re.search(rf"[(,]\s*{re.escape(words)}\b", text) for text in texts)
        if denied and not affirmed:
            own = _own_words(question, words)
            out.append(AskedItem("denied", f"“{own}” (văn bản ghi rõ là không {own})", _NEVER))
    return out


_NEVER = re.compile(r"(?!)")
"""Matches nothing: a denied item is missing whatever else is quoted."""


def _own_words(question: str, folded: str) -> str:
    """The question's own spelling of the folded words *folded* ("trọng số" for
    "trong so"), or *folded* itself."""
    tokens = re.findall(r"\w+", question)
    target = folded.split()
    for i in range(len(tokens) - len(target) + 1):
        if [fold(t).lower() for t in tokens[i : i + len(target)]] == target:
            return " ".join(tokens[i : i + len(target)])
    return folded


_CLAUSE_END = re.compile(r"[;:]\s+|[.?!]\s+(?=\S)")


def asked_clause(question: str) -> str:
    """The clause that asks, when statements come before it; "" for a question of one
    clause.

    Staff often state what they know, then ask: "Nghị định 63 yêu cầu nhập dữ liệu chậm
    nhất 05 ngày làm việc; nếu dữ liệu sai thì phải đính chính trong bao nhiêu ngày?".
    A passage that repeats the statement covers most of the question's words without
    answering it, so what the answer must cover is the last clause (after ";", ":" or a
    sentence's end). A part of fewer than three words ("Điều 5:") belongs to what follows
    it.
    """
    parts: list[str] = []
    for part in _CLAUSE_END.split(question.strip()):
        if not part.strip():
            continue
        if parts and len(parts[-1].split()) < 3:
            parts[-1] += " " + part
        else:
            parts.append(part)
    return parts[-1].strip() if len(parts) > 1 else ""


def asks_of_citation(question: str) -> bool:
    """True when *question* asks what a citation of an instrument gives (issued when or by
    whom, in force, amended, repealed, replaced), not the instrument's content."""
    return bool(_OF_CITATION_Q.search(fold(question).lower()))


def unloaded_item(number: str) -> AskedItem:
    """The gap for an instrument the question asks about that is not loaded, only cited
    by a loaded one (see :func:`assistant.answer.answerer._unloaded_instruments`)."""
    return AskedItem(
        "unloaded",
        f"nội dung của văn bản số {number} (văn bản này chưa được nạp; các đoạn dưới đây "
        "chỉ dẫn chiếu đến nó)",
        _NEVER,
    )


def clause_item(clause: str) -> AskedItem:
    """The gap for an asked clause (:func:`asked_clause`) that no quote covers."""
    return AskedItem("clause", f"nội dung “{clause.rstrip(' ?.!')}”", _NEVER)


def blank_cell_items(columns: Iterable[str]) -> list[AskedItem]:
    """The gap for table columns a question asks about and the quoted rows leave blank
    (see :func:`assistant.answer.tables.blank_columns`)."""
    return [AskedItem("blank", f"{c} (ô này để trống trong bảng)", _NEVER) for c in columns]


def gap_sentence(
    missing: Sequence[AskedItem], elsewhere: Mapping[str, Sequence[int]] | None = None
) -> str:
    """The plain statement that the documents do not give what was asked.

    *elsewhere* maps the description of an item that a quoted passage does hold outside
    its quote (another clause's figure, which may belong to another step) to the numbers
    of those citations: that item is not said to be absent, the reader is sent to them.
    """
    elsewhere = elsewhere or {}
    absent = list(dict.fromkeys(m.description for m in missing if m.description not in elsewhere))
    shown = list(dict.fromkeys(m.description for m in missing if m.description in elsewhere))
    parts = []
    if absent:
        parts.append(f"Các văn bản đã nạp không nêu {'; '.join(absent)} mà anh/chị hỏi.")
    if shown:
        refs = sorted({n for d in shown for n in elsewhere[d]})
        cited = ", ".join(f"[{n}]" for n in refs)
        parts.append(
            f"Các đoạn trích dưới đây không nêu rõ {'; '.join(shown)} mà anh/chị hỏi; "
            f"anh/chị đối chiếu toàn văn {cited}."
        )
    parts.append("Dưới đây là những nội dung liên quan mà văn bản có quy định:")
    return " ".join(parts)


# -- time ---------------------------------------------------------------------------------

_DEADLINE_DATE = re.compile(
    r"(?:trước|chậm nhất(?: là)?|hạn chót(?: là)?|không muộn hơn|trong thời hạn đến|đến)\s+"
    r"ngày\s+(\d{1,2})(?:/(\d{1,2})/(\d{4})|\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))",
    re.IGNORECASE,
)
_PLAN_YEAR = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b", re.IGNORECASE)

MERGED_PROVINCES: dict[str, tuple[str, str, str, date]] = {
    # Verified: NQ 202/2025/QH15 ngày 12/6/2025 (papi_facts.md §0.1, [V]).
    "quang nam": (
        "tỉnh Quảng Nam",
        "thành phố Đà Nẵng",
        "Nghị quyết 202/2025/QH15 ngày 12/6/2025",
        date(2025, 6, 12),
    ),
}
"""Provinces rearranged in 2025 that the documents may still name (verified facts only)."""


def passed_deadlines(quotes: Iterable[str], today: date) -> list[str]:
    """Deadlines written in the quotes that lie before *today*, as written."""
    out: list[str] = []
    for quote in quotes:
        for m in _DEADLINE_DATE.finditer(quote):
            day = int(m.group(1))
            month = int(m.group(2) or m.group(4))
            year = int(m.group(3) or m.group(5))
            try:
                when = date(year, month, day)
            except ValueError:
                continue
            if when < today and m.group(0) not in out:
                out.append(m.group(0))
    return out


def time_notes(
    quotes: Sequence[str], documents: Sequence[tuple[str, str, str]], today: date
) -> list[str]:
    """Lines flagging what has aged: passed deadlines, past-year plans, merged provinces.

    *documents* are the cited documents as (name, doc_type, title + issuer).
    """
    parts: list[str] = []
    passed = passed_deadlines(quotes, today)
    if passed:
        parts.append(f"thời hạn “{passed[0]}” đã qua")
    seen: set[str] = set()
    for name, doc_type, described in documents:
        if name in seen:
            continue
        seen.add(name)
        if fold(doc_type).startswith(("ke hoach", "chuong trinh")):
            years = [int(y) for y in _PLAN_YEAR.findall(described)]
            if years and max(years) < today.year:
                parts.append(f"{name} là kế hoạch năm {max(years)}")
        for province, (old, now, basis, since) in MERGED_PROVINCES.items():
            if province in fold(described) and today >= since:
                parts.append(f"{old} nay thuộc {now} ({basis})")
    if not parts:
        return []
    # One short line: aged facts matter, but must not drown the answer.
    stamp = today.strftime("%d/%m/%Y")
    return [
        f"Lưu ý thời gian (hôm nay {stamp}): "
        + "; ".join(dict.fromkeys(parts))
        + ". Anh/chị đối chiếu văn bản hiện hành trước khi áp dụng."
    ]


SECONDARY = "(nguồn thứ cấp)"


def secondary_marked(text: str) -> bool:
    """True when a quoted line is marked as coming from a secondary source."""
    return SECONDARY in text.lower()


# A source that says of itself that it does not know ("chưa xác minh được …") answers
# nothing, however well it matches: Vietnamese documents hedge with these phrases.
_SELF_HEDGE = re.compile(
    r"\b(?:chua (?:duoc )?xac minh|khong the xac minh|chua co (?:thong tin|so lieu)"
    r"|khong co (?:thong tin|so lieu) (?:ve|cu the))\b"
)

UNVERIFIED = AskedItem(
    "unverified",
    "thông tin đã được xác minh (chính văn bản ghi là chưa có hoặc chưa xác minh được)",
    _SELF_HEDGE,
)
"""The gap reported when every quote that matches the question hedges itself."""


def self_hedged(quotes: Sequence[str]) -> bool:
    """True when the leading quote says its document does not know what it is about."""
    return bool(quotes) and bool(_SELF_HEDGE.search(" ".join(folded_tokens(quotes[0]))))
