"""Closed lists the generator falls back on, and the keywords that flag co-correct values.

These are the last tier of distractors (after the same section, the same document and
the corpus). Agency names are **dated**: provinces reorganised their departments in
2025 (e.g. Sở Kế hoạch và Đầu tư merged into Sở Tài chính), so the list describes the
2023 structure the corpus plan was written under; revise it with the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

from vntext.lexicon import DIMENSION_ENGLISH, DIMENSION_NAMES


@dataclass(frozen=True)
class Dimension:
    """One of PAPI's eight content dimensions (since 2018)."""

    number: int
    name: str
    english: str
    keywords: tuple[str, ...]
    """Folded phrases whose presence in a task means this dimension is (also) served."""


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        1,
        DIMENSION_NAMES[1],
        DIMENSION_ENGLISH[1],
        ("dan chu", "tham gia cua nguoi dan", "bau cu", "truong thon", "dong gop tu nguyen"),
    ),
    Dimension(
        2,
        DIMENSION_NAMES[2],
        DIMENSION_ENGLISH[2],
        ("cong khai", "minh bach", "niem yet", "tiep can thong tin"),
    ),
    Dimension(
        3,
        DIMENSION_NAMES[3],
        DIMENSION_ENGLISH[3],
        (
            "giai trinh",
            "khieu nai",
            "to cao",
            "kien nghi",
            "doi thoai",
            "tiep cong dan",
            "phan anh",
            "dich vu phap ly",
        ),
    ),
    Dimension(
        4,
        DIMENSION_NAMES[4],
        DIMENSION_ENGLISH[4],
        ("tham nhung", "ke khai tai san", "tai san thu nhap", "hoi lo", "tieu cuc"),
    ),
    Dimension(
        5,
        DIMENSION_NAMES[5],
        DIMENSION_ENGLISH[5],
        ("thu tuc hanh chinh", "mot cua", "ho so", "tre hen"),
    ),
    Dimension(
        6,
        DIMENSION_NAMES[6],
        DIMENSION_ENGLISH[6],
        ("dich vu cong", "phuc vu nguoi dan", "trang thiet bi", "y te", "giao duc", "ha tang"),
    ),
    Dimension(
        7,
        DIMENSION_NAMES[7],
        DIMENSION_ENGLISH[7],
        ("moi truong", "o nhiem", "cay xanh", "ve sinh", "chat thai", "rac thai"),
    ),
    Dimension(
        8,
        DIMENSION_NAMES[8],
        DIMENSION_ENGLISH[8],
        (
            "dien tu",
            "truc tuyen",
            "cong nghe thong tin",
            "phan mem",
            "internet",
            "du lieu",
            "so hoa",
        ),
    ),
)

DIMENSION_BY_NUMBER = {d.number: d for d in DIMENSIONS}

PROVINCIAL_AGENCIES_2023: tuple[str, ...] = (
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Thông tin và Truyền thông",
    "Sở Tài nguyên và Môi trường",
    "Văn phòng UBND tỉnh",
    "Thanh tra tỉnh",
    "Trung tâm Phục vụ Hành chính công",
)
"""Provincial agencies as organised in 2023 (before the 2025 mergers)."""

PROVINCIAL_ROLES_2023: tuple[str, ...] = (
    "Giám đốc Sở Nội vụ",
    "Chánh Văn phòng UBND tỉnh",
    "Chánh Thanh tra tỉnh",
    "Giám đốc Sở Tư pháp",
    "Giám đốc Sở Tài chính",
    "Giám đốc Sở Thông tin và Truyền thông",
)
"""Heads of provincial agencies: distractors of the same form as a role ("Trưởng …")."""

MANAGEMENT_BOARD_UNITS: tuple[str, ...] = (
    "Phòng Quản lý Đầu tư",
    "Phòng Quản lý Doanh nghiệp và Lao động",
    "Phòng Quản lý Quy hoạch và Xây dựng",
    "Phòng Quản lý Tài nguyên và Môi trường",
)
"""Typical units of a provincial economic-zone board (illustrative names, never answers)."""

STANDARDS: tuple[str, ...] = (
    "TCVN ISO 9001:2015",
    "TCVN ISO 9001:2008",
    "TCVN ISO 14001:2015",
    "TCVN ISO/IEC 27001:2019",
    "TCVN ISO 45001:2018",
)

TERM_FAMILIES: dict[str, tuple[str, ...]] = {
    "platform": (
        "Cổng thông tin điện tử",
        "dịch vụ công trực tuyến toàn trình",
        "phần mềm một cửa điện tử",
        "hộp thư công vụ",
        "Trang thông tin CCHC",
        "dịch vụ bưu chính công ích",
        "phần mềm Quản lý văn bản và điều hành",
        "Cổng Dịch vụ công quốc gia",
        "Hệ thống thông tin giải quyết thủ tục hành chính",
    ),
    "regulation": (
        "Quy chế dân chủ cơ quan",
        "Quy chế tiếp công dân",
        "Quy chế văn hóa công sở",
        "Quy chế chi tiêu nội bộ",
        "Quy chế làm việc của cơ quan",
    ),
    "quality_system": (
        "Hệ thống quản lý chất lượng",
        "Hệ thống quản lý môi trường",
        "Hệ thống quản lý an toàn thông tin",
    ),
    "index": ("PAPI", "PAR Index", "SIPAS", "PCI"),
    "papi_partner": (
        "UNDP",
        "CECODES",
        "VFF-CRT",
        "RTA",
        "VCCI",
        "USAID",
        "Học viện Chính trị Quốc gia Hồ Chí Minh",
    ),
    "ministry": (
        "Bộ Nội vụ",
        "Bộ Tư pháp",
        "Bộ Tài chính",
        "Bộ Công an",
        "Bộ Thông tin và Truyền thông",
        "Thanh tra Chính phủ",
        "Văn phòng Chính phủ",
    ),
    "sampling": ("PPS", "chọn mẫu ngẫu nhiên đơn giản", "chọn mẫu phân tầng", "chọn mẫu cụm"),
}
"""Typed key phrases for cloze items; every family is one distractor pool.

Only names (of platforms, regulations, systems, indices, organisations) are listed:
generic work areas ("cải cách hành chính", "phòng, chống tham nhũng") were tried and
dropped, because "trách nhiệm … trong công tác X" reads as true for most X."""

DISTRACTOR_ONLY_TERMS: frozenset[str] = frozenset({"PAPI"})
"""Terms too frequent to blank out (every passage is about PAPI); still fine as options."""

UNIT_HEADS: tuple[str, ...] = (
    "phong",
    "so",
    "ban",
    "van phong",
    "trung tam",
    "uy ban",
    "ubnd",
    "truong",
    "giam doc",
    "chanh",
    "chu tich",
    "thu truong",
    "cac ",
    "co quan",
    "don vi",
    "bo ",
    "thanh tra",
    "cong an",
    "hoi ",
    "doan ",
    "mat tran",
    "lanh dao",
    "can bo",
    "cong chuc",
)
"""Folded first words of a heading that names who does something (in "Tổ chức thực hiện")."""

COLLECTIVE_MEMBERS: tuple[tuple[str, str], ...] = (
    ("cac phong", "phong "),
    ("cac don vi", "trung tam "),
    ("cac so", "so "),
)
"""(collective, member prefix): "Trưởng các phòng" also covers any "Phòng …" (folded)."""

SECONDARY_MARKERS: tuple[str, ...] = ("nguon thu cap", "chua xac minh", "unverified")
"""Folded markers of unverified statements; no item is built on a quote carrying one."""

BANNED_OPTION_PHRASES: tuple[str, ...] = (
    "tat ca cac phuong an",
    "tat ca cac dap an",
    "tat ca deu dung",
    "ca a va b",
    "ca a, b",
    "a va b",
    "b va c",
    "khong co phuong an nao",
    "khong co dap an nao",
    "deu dung",
    "deu sai",
    "tong hop cac phuong an",
    "all of the above",
    "none of the above",
)
