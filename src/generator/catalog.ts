/** Reference values the generator draws from: real Olist category names and Brazilian places. */

/** Portuguese category -> English name; `null` marks categories the translation file lacks (as in Olist). */
export const CATEGORIES: readonly (readonly [string, string | null])[] = [
  ["beleza_saude", "health_beauty"],
  ["informatica_acessorios", "computers_accessories"],
  ["automotivo", "auto"],
  ["cama_mesa_banho", "bed_bath_table"],
  ["moveis_decoracao", "furniture_decor"],
  ["esporte_lazer", "sports_leisure"],
  ["perfumaria", "perfumery"],
  ["utilidades_domesticas", "housewares"],
  ["telefonia", "telephony"],
  ["relogios_presentes", "watches_gifts"],
  ["alimentos_bebidas", "food_drink"],
  ["bebes", "baby"],
  ["papelaria", "stationery"],
  ["brinquedos", "toys"],
  ["pet_shop", "pet_shop"],
  ["ferramentas_jardim", "garden_tools"],
  ["eletronicos", "electronics"],
  ["fashion_bolsas_e_acessorios", "fashion_bags_accessories"],
  ["pc_gamer", null],
  ["portateis_cozinha_e_preparadores_de_alimentos", null],
];

/** [city, state, zip prefix range]. Some cities carry the quirks real exports have. */
export const PLACES: readonly (readonly [string, string, number, number])[] = [
  ["sao paulo", "SP", 1000, 5999],
  ["guarulhos", "SP", 7000, 7399],
  ["campinas", "SP", 13000, 13199],
  ["santo andre", "SP", 9000, 9299],
  ["rio de janeiro", "RJ", 20000, 23799],
  ["niteroi", "RJ", 24000, 24399],
  ["belo horizonte", "MG", 30000, 31999],
  ["curitiba", "PR", 80000, 82999],
  ["porto alegre", "RS", 90000, 91999],
  ["salvador", "BA", 40000, 42599],
  ["brasilia", "DF", 70000, 72799],
  ["recife", "PE", 50000, 52999],
  ["fortaleza", "CE", 60000, 61599],
  ["goiania", "GO", 74000, 74899],
  ["florianopolis", "SC", 88000, 88099],
  ["embu das artes", "SP", 6800, 6849],
  // Quirks: a comma, a quote, and an embedded newline inside the value (all must survive quoting).
  ["sao joao del rei, distrito", "MG", 36300, 36309],
  ['jardim "paulista"', "SP", 1400, 1499],
  ["santa rita do\npassa quatro", "SP", 13670, 13679],
];

export const ORDER_STATUSES: readonly (readonly [string, number])[] = [
  ["delivered", 88],
  ["shipped", 3],
  ["canceled", 2],
  ["unavailable", 1],
  ["invoiced", 2],
  ["processing", 2],
  ["created", 1],
  ["approved", 1],
];

export const PAYMENT_TYPES: readonly (readonly [string, number])[] = [
  ["credit_card", 74],
  ["boleto", 19],
  ["voucher", 4],
  ["debit_card", 2],
  ["not_defined", 1],
];
