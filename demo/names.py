"""Vietnamese names for demo people, drawn deterministically (the same seed gives the same school every time).

Frequencies are rough: Nguyễn is by far the commonest family name, then Trần and Lê.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FAMILY_NAMES = (
    ["Nguyễn"] * 12
    + ["Trần"] * 5
    + ["Lê"] * 4
    + ["Phạm"] * 3
    + ["Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"] * 2
    + ["Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Tạ"]
)
MIDDLE_NAMES = {
    "male": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Gia", "Anh", "Công", "Xuân", "Hoàng", "Trọng", "Tuấn"],
    "female": ["Thị", "Ngọc", "Thu", "Thanh", "Phương", "Bảo", "Khánh", "Minh", "Thùy", "Hồng", "Mai", "Diệu"],
}
GIVEN_NAMES = {
    "male": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Duy",
        "Đạt",
        "Hải",
        "Hiếu",
        "Hoàng",
        "Huy",
        "Khang",
        "Khoa",
        "Kiên",
        "Long",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phúc",
        "Quân",
        "Sơn",
        "Tài",
        "Thắng",
        "Trung",
        "Tuấn",
        "Việt",
        "Vinh",
        "Lâm",
        "Phong",
        "Đăng",
        "Khôi",
    ],
    "female": [
        "Anh",
        "Chi",
        "Diệp",
        "Giang",
        "Hà",
        "Hân",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "My",
        "Ngân",
        "Ngọc",
        "Nhi",
        "Phương",
        "Quỳnh",
        "Thảo",
        "Trang",
        "Vy",
        "Yến",
        "Hạnh",
        "Uyên",
        "Trâm",
        "Thư",
    ],
}


@dataclass(frozen=True)
class Name:
    family: str
    middle: str
    given: str
    gender: str

    @property
    def last_name(self) -> str:  # họ và tên đệm
        return f"{self.family} {self.middle}"

    @property
    def full(self) -> str:
        return f"{self.family} {self.middle} {self.given}"


class NameGenerator:
    def __init__(self, seed: int = 2026) -> None:
        self._random = random.Random(seed)  # noqa: S311 - demo data, not security
        self._used: set[str] = set()

    def person(self, gender: str | None = None, family: str | None = None) -> Name:
        for _attempt in range(1000):
            g = gender or self._random.choice(["male", "female"])
            name = Name(
                family=family or self._random.choice(FAMILY_NAMES),
                middle=self._random.choice(MIDDLE_NAMES[g]),
                given=self._random.choice(GIVEN_NAMES[g]),
                gender=g,
            )
            if name.full not in self._used:
                self._used.add(name.full)
                return name
        raise RuntimeError("ran out of distinct names")
