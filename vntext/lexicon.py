"""Shared Vietnamese administrative lexicons: PAPI's dimensions and document types.

One copy each, for ingest (dimension headings, references a document cites), answers
(legal basis in a quote) and the quiz. These are conventions of Vietnamese public
administration, not the wording of any one document.
"""

from __future__ import annotations

import re
from types import MappingProxyType

DIMENSION_NAMES = MappingProxyType(
    {
        1: "Tham gia của người dân ở cấp cơ sở",
        2: "Công khai, minh bạch trong việc ra quyết định ở địa phương",
        3: "Trách nhiệm giải trình với người dân",
        4: "Kiểm soát tham nhũng trong khu vực công",
        5: "Thủ tục hành chính công",
        6: "Cung ứng dịch vụ công",
        7: "Quản trị môi trường",
        8: "Quản trị điện tử",
    }
)
"""PAPI's eight content dimensions (since 2018): number → official Vietnamese name
(papi.org.vn, "PAPI đo lường nội dung gì")."""

DIMENSION_ENGLISH = MappingProxyType(
    {
        1: "Participation at Local Levels",
        2: "Transparency in Local Decision-making",
        3: "Vertical Accountability Towards Citizens",
        4: "Control of Corruption in the Public Sector",
        5: "Public Administrative Procedures",
        6: "Public Service Delivery",
        7: "Environmental Governance",
        8: "E-Governance",
    }
)
"""The official English names of the same dimensions."""

DOCUMENT_TYPES = (
    "Bộ luật",
    "Luật",
    "Pháp lệnh",
    "Nghị quyết liên tịch",
    "Nghị quyết",
    "Nghị định",
    "Thông tư liên tịch",
    "Thông tư",
    "Quyết định",
    "Chỉ thị",
    "Kế hoạch",
    "Chương trình",
    "Công văn",
    "Hướng dẫn",
    "Thông báo",
    "Lệnh",
)
"""Types of legal and administrative documents (Luật Ban hành VBQPPL 2015 and the
administrative documents of Nghị định 30/2020/NĐ-CP), longer names before their prefixes."""


def document_types(*, exclude: tuple[str, ...] = ()) -> str:
    """A regex alternation of :data:`DOCUMENT_TYPES` (longest first), without *exclude*."""
    return "|".join(re.escape(t) for t in DOCUMENT_TYPES if t not in exclude)


LEGAL_REFERENCE = re.compile(
    rf"(?<![\w])({document_types(exclude=('Lệnh',))})"
    r"\s+(?:số\s+)?(\d{1,6}\s?/\s?[0-9A-Za-zĐđ][0-9A-Za-zĐđ/.\-]*[0-9A-Za-zĐđ])"
    r"(\s+ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?",
    re.IGNORECASE,
)
"""A cited document: its type (group 1), number (2) and, when written, its date (3)."""


ABBREVIATIONS: dict[str, str] = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tthc": "thu tuc hanh chinh",
    "cchc": "cai cach hanh chinh",
    "cntt": "cong nghe thong tin",
    "kkt": "khu kinh te",
    "kcn": "khu cong nghiep",
    "ttdt": "thong tin dien tu",
    "qd": "quyet dinh",
    "kh": "ke hoach",
}
"""Abbreviations of Vietnamese administrative writing, folded → their folded expansion.
Nationwide conventions only; names a single document coins are learned from it."""


DIVISIONS: dict[str, str] = {
    "phan": "Phần",
    "chuong": "Chương",
    "muc": "Mục",
    "dieu": "Điều",
    "khoan": "Khoản",
    "diem": "Điểm",
}
"""Words that name a division of a document, folded → as written."""


LIST_ITEM = r"(?:\d{1,2}[.)]|[a-zđ]\))"
"""A numbered or lettered item opening a line of a list ("1. …", "a) …"), as a regex."""

COUNTS_ITEMS = re.compile(r"\b(?:gom|bao gom|chia thanh|chia lam) (?:may|bao nhieu) [a-z]+")
"""A question asking how many items something comprises ("bao gồm mấy nguyên tắc?"),
on the folded question: the list itself answers it."""

MACHINE_MAY = re.compile(
    r"\b(?:xe|bo|nha) may\b|\bmay (?:tinh|in|moc|chu|bay|lanh|photo|fax|quet|chieu|anh|phat)\b"
)
"""Folded, "mấy" (how many) and "máy" (a machine) are both "may": after "xe", "bộ" ("bộ
máy chính quyền") or "nhà" ("nhà máy"), or before the second syllable of a word for a
machine ("máy tính", "máy in", "máy bay"), it is "máy", never "mấy"."""

_FUNCTION_TEXT = """
là gì nào của và có không thì sao khi những các cho được phải làm như thế ai ở đâu
nhiêu giờ hay hoặc với để tại trong về theo đến từ một này đó kia ấy cần việc ra
còn vậy à ạ hả nhé nhỉ hỏi tôi em anh chị mình bạn chúng ta họ nó đã đang sẽ rồi mà
nên vì do bởi nếu gồm bị muốn biết vui lòng giúp hãy mấy đâu đây nữa cũng rất cái
chiếc
"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
"""The function words of Vietnamese questions ("ai", "mấy", "ở đâu", "thì", "những"):
what a question says about the kind of answer it wants, not about its topic. Laws
and plans seldom write some of them ("ai", "mấy", "đâu"), so a question's words are
not all in the documents' vocabulary."""

PROVINCES = frozenset(
    name.strip()
    for name in """
    An Giang|Bà Rịa - Vũng Tàu|Bà Rịa Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|
    Bình Dương|Bình Định|Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|Cần Thơ|Đà Nẵng|Đắk Lắk|
    Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Nội|Hà Tĩnh|Hải Dương|
    Hải Phòng|Hậu Giang|Hòa Bình|Hồ Chí Minh|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|
    Lâm Đồng|Lạng Sơn|Lào Cai|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|
    Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|
    Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Huế|Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|
    Vĩnh Phúc|Yên Bái
    """.replace("\n", "").split("|")
)
"""The 63 provincial-level units of Việt Nam before the 2025 rearrangement, whose names PAPI
results and staff questions still use, as written: a question about another province
("tỉnh Lâm Đồng đạt bao nhiêu điểm …") is about a place the documents may never mention."""
