"""Postal addresses of many countries, assembled from a card's lines: Japanese block addresses
(romanised and in Japanese), Korean road addresses, Chinese, Vietnamese, Benelux, Nordic,
Indian and Latin American shapes, over several lines and with the country."""

from __future__ import annotations

import pytest

from cardscan.model import OcrResult
from cardscan.parse import parse_front
from cardscan.parse.addresses import is_address_line

# (country, the card's text, the address the parser must assemble from it)
CARDS = [
    ('vn', [
        'Nguyen Van An',
        'Sales Manager',
        'Saigon Trading Co., Ltd.',
        '123 Nguyễn Huệ, Phường Bến Nghé',
        'Quận 1, TP. Hồ Chí Minh',
        'Viet Nam',
        'an.nguyen@saigontrading.vn',
        '+84 28 3822 1234',
    ], '123 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh, Viet Nam'),
    ('be', [
        'Marie Dubois',
        'Conseillère',
        'Belfius Conseil SA',
        'Rue de la Loi 16',
        '1000 Bruxelles',
        'Belgique',
        'marie.dubois@belfius-conseil.be',
        '+32 2 123 45 67',
    ], 'Rue de la Loi 16, 1000 Bruxelles, Belgique'),
    ('se', [
        'Erik Lindqvist',
        'Product Owner',
        'Nordlys AB',
        'Drottninggatan 25',
        '111 51 Stockholm',
        'Sweden',
        'erik@nordlys.se',
        '+46 8 123 456 78',
    ], 'Drottninggatan 25, 111 51 Stockholm, Sweden'),
    ('no', [
        'Ingrid Hansen',
        'Daglig leder',
        'Fjord Data AS',
        'Karl Johans gate 22',
        '0159 Oslo',
        'Norway',
        'ingrid@fjorddata.no',
        '+47 22 12 34 56',
    ], 'Karl Johans gate 22, 0159 Oslo, Norway'),
    ('dk', [
        'Mads Jensen',
        'CTO',
        'Havn Software ApS',
        'Vesterbrogade 10, 2. sal',
        '1620 København V',
        'mads@havnsoftware.dk',
        '+45 33 12 34 56',
    ], 'Vesterbrogade 10, 2. sal, 1620 København V'),
    ('fi', [
        'Aino Virtanen',
        'Myyntipäällikkö',
        'Revontuli Oy',
        'Mannerheimintie 12 B 5',
        '00100 Helsinki',
        'aino.virtanen@revontuli.fi',
        '+358 9 1234 5678',
    ], 'Mannerheimintie 12 B 5, 00100 Helsinki'),
    ('in', [
        'Rahul Sharma',
        'Director',
        'Indus Softech Pvt. Ltd.',
        '12, MG Road, Ashok Nagar',
        'Bengaluru 560001, Karnataka',
        'India',
        'rahul@indussoftech.in',
        '+91 80 4123 4567',
    ], '12, MG Road, Ashok Nagar, Bengaluru 560001, Karnataka, India'),
    ('mx', [
        'Ana García López',
        'Gerente de Ventas',
        'Grupo Azteca S.A. de C.V.',
        'Av. Paseo de la Reforma 222, Col. Juárez',
        '06600 Ciudad de México, CDMX',
        'ana.garcia@grupoazteca.mx',
        '+52 55 1234 5678',
    ], 'Av. Paseo de la Reforma 222, Col. Juárez, 06600 Ciudad de México, CDMX'),
    ('ar', [
        'Martín Pérez',
        'Gerente Comercial',
        'Pampa Agro S.R.L.',
        'Av. Corrientes 1234, Piso 5',
        'C1043AAZ Buenos Aires',
        'Argentina',
        'mperez@pampaagro.com.ar',
        '+54 11 4123 4567',
    ], 'Av. Corrientes 1234, Piso 5, C1043AAZ Buenos Aires, Argentina'),
    ('cl', [
        'Camila Rojas',
        'Jefa de Proyectos',
        'Andes Minería SpA',
        'Av. Apoquindo 3000, Of. 501',
        'Las Condes, Santiago',
        'Chile',
        'crojas@andesmineria.cl',
        '+56 2 2345 6789',
    ], 'Av. Apoquindo 3000, Of. 501, Las Condes, Santiago, Chile'),
    ('jp_latin', [
        'Kenji Watanabe',
        'Export Manager',
        'Naniwa Precision Co., Ltd.',
        '2-5-8 Kitahama, Chuo-ku',
        'Osaka 541-0041',
        'Japan',
        'k.watanabe@naniwa-precision.co.jp',
    ], '2-5-8 Kitahama, Chuo-ku, Osaka 541-0041, Japan'),
    ('jp', [
        '株式会社ミナト精機',
        '佐藤 花子',
        '営業部 課長',
        'TEL 03-5381-4065',
        'h.sato@minato-seiki.co.jp',
        '〒105-0011 東京都港区芝公園 1-2-3',
    ], '〒105-0011 東京都港区芝公園 1-2-3'),
    ('kr', [
        '김민준',
        '영업팀장',
        '한빛소프트 주식회사',
        '전화 02-5328-2006',
        'minjun.kim@hanbitsoft.co.kr',
        '서울특별시 강남구 테헤란로 152',
    ], '서울특별시 강남구 테헤란로 152'),
    ('cn', [
        '李明',
        '销售经理',
        '上海星河科技有限公司',
        '电话 021 2238 2643',
        'liming@xinghe-tech.cn',
        '上海市浦东新区世纪大道100号',
    ], '上海市浦东新区世纪大道100号'),
    ('mx-country-then-postcode', [
        'Lucía Ramírez Ortega',
        'Gerente de Planta',
        'Aceros del Bajío',
        'Priv. Robles 412, Jardines',
        'León, Gto. México 37490',
        'lucia.ramirez@acerosbajio.mx',
    ], 'Priv. Robles 412, Jardines, León, Gto. México 37490'),
]


@pytest.mark.parametrize(("lines", "address"), [c[1:] for c in CARDS], ids=[c[0] for c in CARDS])
def test_the_whole_address_with_its_city_line_and_country(lines: list[str], address: str
                                                          ) -> None:
    fields = parse_front(OcrResult.from_text("\n".join(lines)), default_region="US")
    assert fields.address == address
    assert fields.name and fields.company  # the address took nothing else


@pytest.mark.parametrize("line", [
    "1-2-3 Somecho, Chuo-ku, Osaka 540-0001", "〒105-0011 東京都港区芝公園 1-2-3",
    "서울특별시 강남구 테헤란로 152", "上海市浦东新区世纪大道100号", "Chiyoda-ku Tokyo 100-8915",
    "Av. Paulista, 1578 - Bela Vista", "Av. Corrientes 1234, Piso 5"])
def test_address_lines_of_other_countries(line: str) -> None:
    assert is_address_line(line)


@pytest.mark.parametrize("line", ["한빛소프트 주식회사", "김민준", "株式会社ミナト精機",
                                  "Sales Manager", "Grupo Azteca S.A. de C.V.",
                                  "Expo Germany 2026"])
def test_names_and_companies_are_not_addresses(line: str) -> None:
    assert not is_address_line(line)
